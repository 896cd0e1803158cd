"""The matcher HTTP service and the mentor web page; ``service.app.create_app()`` builds it."""
