"""Layer 1, core: errors, configuration, the league's seasons, redaction, run events and
logging. Imports nothing else of ours."""
