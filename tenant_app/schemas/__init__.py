"""What a form (and later the JSON API) may send, as pydantic models: the one place where a
field's shape is checked and its message for the user chosen. Services validate their input
with these and add what needs the database (a taken e-mail, an unknown insurer)."""
