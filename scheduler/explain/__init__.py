"""Why: a reason for each request left out (read from the schedule, then confirmed by solving) and, for
exit 3, which must-happen requests and rules clash."""
