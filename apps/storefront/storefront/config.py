"""Configuration, read only from the environment."""
from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    database_url: SecretStr
    redis_url: SecretStr = SecretStr("")
    cache_ttl_seconds: int = Field(10, ge=0)
    port: int = Field(8000, ge=1, le=65535)
    host: str = "0.0.0.0"
    admin_token: SecretStr = SecretStr("")
    log_level: str = "info"
    db_pool_max: int = Field(10, ge=1, le=200)
    db_timeout_seconds: float = Field(2.0, gt=0)
    shutdown_timeout_seconds: int = Field(8, ge=1, le=60)
