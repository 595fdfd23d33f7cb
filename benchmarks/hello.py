"""The baseline: a bare Flask app that answers "Hello", served by gunicorn like the LMS."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello"
