"""Campus's date and time formats per language (FORMAT_MODULE_PATH): the standard
Django names (used by the admin, `|date:"DATE_FORMAT"`, `localize`) and Campus's own
styles, read by `campus.core.formatting`. One place for how a date reads."""
