"""API routers, one per area; each route calls one service."""
