"""Moving a whole store as checked plain files: ``export_store`` and ``import_store``."""
