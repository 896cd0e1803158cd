"""matcher: recommends proven public-service innovations for Indonesian regencies to replicate."""

__version__ = "0.1.0"
