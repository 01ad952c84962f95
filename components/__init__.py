"""Pulumi components that make up the AWX platform, and the typed stack configuration."""
