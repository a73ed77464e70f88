"""licensecheck: may we use this open-weight model, for this purpose?"""

__version__ = "0.1.0"
