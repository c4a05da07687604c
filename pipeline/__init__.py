"""learninglab: turn partner session recordings into trilingual podcast episodes and notes."""

__version__ = "0.1.0"

LANGUAGES = ("en", "es", "fr")
