"""Publish: per-language podcast feeds, session notes and the static portal in output/site/.

Heavy libraries (feedgen, jinja2) are imported by the modules that need them, and this
package is imported by the CLI only inside the commands that publish.
"""
