// Package meetingguide implements the Meeting Guide JSON feed format (the
// code4recovery "spec": https://github.com/code4recovery/spec), the way
// recovery fellowships publish their weekly meetings, so a hub can import an
// area's existing feed as listings and serve its own listings to the
// meeting-finder apps people already use.
//
// It is pure like its parent: Decode reads an io.Reader, Encode writes an
// io.Writer, nothing else. Filling the Hearth fields of a decoded listing
// (version, hub, seq, issue and expiry times) and storing it are the caller's.
//
// # What Decode tolerates
//
// Real feeds break the spec in many small ways, and one bad row must never
// cost a community the rest of its meetings. So Decode:
//
//   - fails only when the input is not a JSON array at all, and then says
//     where it broke (line and column) and returns nothing;
//   - skips a row (Result.Skipped, with a one-line reason) when what a member
//     needs to find the meeting is missing or unreadable: no slug, no name,
//     an unreadable day, time or time zone, a day without a time or a time
//     without a day, or anything else protocol.Listing.Validate refuses;
//   - repairs a row (Result.Repairs) when only a detail is wrong: a slug that
//     is not URL-safe or is used twice is renamed, deterministically; an
//     unreadable end time or "updated" date, a web address Hearth cannot
//     carry, a half or impossible position, a type code that is not a code,
//     or an unknown attendance_option is dropped and the meeting kept;
//   - reads days as integers, numeric strings, English day names or arrays,
//     times as "19:30", "19:30:00", "7:30" or "7:30 pm", numbers given as
//     strings, and "updated" dates in common formats; it ignores fields it
//     does not know;
//   - flags, never drops, a conference URL whose host is not on the caller's
//     provider allow-list (Result.UnknownProviders), so an operator can check
//     it before members click it.
//
// Spec fields Listing has no place for (entity_*, edit_url) are not read.
package meetingguide
