"""Typed models for each section of the stack configuration.

`components.config` reads the Pulumi config and validates it against these models; the
components receive the validated, frozen objects and never read config themselves.
"""
