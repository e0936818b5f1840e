"""Settings (environment) and policy (TOML), each loaded once into a frozen object."""

from config.errors import ConfigError
from config.policy import Policy, load_policy
from config.settings import Settings, load_settings

__all__ = ["ConfigError", "Policy", "Settings", "load_policy", "load_settings"]
