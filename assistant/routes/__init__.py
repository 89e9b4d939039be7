"""Thin FastAPI routers, one per concern; `create_app` in api.py includes each."""
