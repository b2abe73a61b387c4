"""Publication: a solve's schedule document, identity across publications, every output file as bytes
(CSV, agendas, calendars, office outputs), and output folders written whole."""
