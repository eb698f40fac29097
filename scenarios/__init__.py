"""Scripted markets for rehearsal and CI (price paths, actors, incidents, expectations).
Built by issue E6; nothing is here yet.
"""
