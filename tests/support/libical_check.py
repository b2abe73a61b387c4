"""libical's strict check of .ics files, run with the system python3 (Debian's gir1.2-ical-3.0, python3-gi).

Usage: /usr/bin/python3 tests/support/libical_check.py FILE...
Parses each file with libical, runs its restriction check (RFC 5545 property counts per component) and
prints every X-LIC-ERROR it finds, one line each (`FILE: PATH: message`). Exit 0 when there are none, 1 otherwise.
Not a test module: tests/support/ical_tools.py calls it in a subprocess (the project's virtualenv has no gi).
"""

import sys

import gi

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib  # noqa: E402


def errors_in(component, path):
    found = []
    prop = component.get_first_property(ICalGLib.PropertyKind.XLICERROR_PROPERTY)
    while prop is not None:
        found.append(f"{path}: {prop.get_xlicerror()}")
        prop = component.get_next_property(ICalGLib.PropertyKind.XLICERROR_PROPERTY)
    child = component.get_first_component(ICalGLib.ComponentKind.ANY_COMPONENT)
    while child is not None:
        found += errors_in(child, f"{path}/{ICalGLib.Component.kind_to_string(child.isa())}")
        child = component.get_next_component(ICalGLib.ComponentKind.ANY_COMPONENT)
    return found


def main(paths):
    problems = []
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        component = ICalGLib.Component.new_from_string(text)
        if component is None or component.isa() != ICalGLib.ComponentKind.VCALENDAR_COMPONENT:
            problems.append(f"{path}: libical did not parse a VCALENDAR")
            continue
        component.check_restrictions()
        problems += [f"{path}: {error}" for error in errors_in(component, "VCALENDAR")]
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
