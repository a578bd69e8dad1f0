"""Bare FastAPI hello on uvicorn (same loop/http settings and worker count as the storefront): the Python baseline."""
import os

import uvicorn
from fastapi import FastAPI
from fastapi.responses import Response

app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)


@app.get("/")
async def hello():
    return Response(b'{"hello":"world"}', media_type="application/json")


if __name__ == "__main__":
    workers = int(os.environ.get("WEB_CONCURRENCY") or 1)
    uvicorn.run("hello_fastapi:app" if workers > 1 else app, host="127.0.0.1", port=int(os.environ["PORT"]),
                loop="uvloop", http="httptools", log_level="warning", access_log=False, workers=workers,
                app_dir=os.path.dirname(os.path.abspath(__file__)))
