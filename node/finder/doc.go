// Package finder implements the meeting finder: an in-memory index of
// listings that answers "what's on next, near me, in my language" for the
// CLI's `meetings list` and the member page, so both list the same meetings
// in the same order.
//
// Every meeting keeps its own clock: its day and start time are read in its
// own time zone, so one query orders a Monday 19:00 in Los Angeles and a
// Tuesday 07:00 in Tokyo by when each really starts, daylight saving
// included. Put does the slow work (folding text, parsing times, interning
// codes) once per listing, so that Search is integer arithmetic over compact
// entries and stays fast on a cheap machine holding a whole federation's
// listings: a few milliseconds for 100,000 (see BenchmarkSearch).

package finder
