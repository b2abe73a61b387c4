// Reads .ics files with ical.js (the parser Thunderbird uses) and prints, as JSON, what a client would see:
// per file the calendar's name and per event its UID, its start and end in UTC, the zone its times were read
// in (a missing VTIMEZONE shows as a floating time), summary, location, description, status and sequence.
// Usage: node parse.mjs FILE...
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const utc = ICAL.Timezone.utcTimezone;

function instant(time) {
  return time.convertToZone(utc).toString(); // e.g. 2024-10-31T06:00:00Z
}

const result = {};
for (const file of process.argv.slice(2)) {
  const root = new ICAL.Component(ICAL.parse(readFileSync(file, "utf8")));
  result[file] = {
    name: root.getFirstPropertyValue("name"),
    x_wr_calname: root.getFirstPropertyValue("x-wr-calname"),
    timezones: root.getAllSubcomponents("vtimezone").map((tz) => tz.getFirstPropertyValue("tzid")),
    events: root.getAllSubcomponents("vevent").map((component) => {
      const event = new ICAL.Event(component);
      return {
        uid: event.uid,
        start: instant(event.startDate),
        end: instant(event.endDate),
        start_zone: event.startDate.zone ? event.startDate.zone.tzid : null,
        end_zone: event.endDate.zone ? event.endDate.zone.tzid : null,
        summary: event.summary,
        location: event.location,
        description: event.description,
        status: component.getFirstPropertyValue("status"),
        sequence: event.sequence,
      };
    }),
  };
}
process.stdout.write(JSON.stringify(result));
