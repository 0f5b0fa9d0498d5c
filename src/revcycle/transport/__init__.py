"""Clearinghouse mailboxes: filesystem and SFTP behind one interface."""
