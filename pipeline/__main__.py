"""`python -m pipeline` is `learninglab`."""

from .cli import main

main(prog_name="learninglab")
