"""The REST API (FastAPI): ``create_app(settings)`` builds it; routers stay thin and call services."""
