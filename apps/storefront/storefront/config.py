"""Configuration, read only from the environment."""
from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    database_url: SecretStr
    redis_url: SecretStr = SecretStr("")
    cache_ttl_seconds: int = Field(10, ge=0)
    # Redis connect/read/write timeout: a slow Redis must not slow reads down (they fall back to PostgreSQL)
    redis_timeout_seconds: float = Field(0.05, gt=0, le=5)
    # in-process copy of hot cache entries; never outlives the Redis entry (storefront/cache.py)
    near_cache_ttl_seconds: float = Field(1.0, ge=0, le=60)
    port: int = Field(8000, ge=1, le=65535)
    host: str = "0.0.0.0"
    admin_token: SecretStr = SecretStr("")
    log_level: str = "info"
    db_pool_max: int = Field(10, ge=1, le=200)
    db_timeout_seconds: float = Field(2.0, gt=0)
    shutdown_timeout_seconds: int = Field(8, ge=1, le=60)
    # uvicorn worker processes; set it to the container's CPU limit (one event loop per core)
    web_concurrency: int = Field(1, ge=1, le=64)
