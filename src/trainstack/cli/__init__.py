"""The trainstack command line."""
