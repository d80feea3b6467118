"""Bundled rules profiles, installed as the package ``qualitybot.profiles``."""
