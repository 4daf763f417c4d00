package main

import (
	"cmp"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"hearth/node"
	"hearth/node/finder"
	"hearth/node/web"
	"hearth/protocol"
	"hearth/protocol/meetingguide"
)

func meetingsCommand() *cli.Command {
	return &cli.Command{
		Name:  "meetings",
		Usage: "add, change, cancel and find meeting listings",
		Subcommands: []*cli.Command{
			{
				Name:   "add",
				Usage:  "publish a new meeting of this hub; prints its listing ID",
				Flags:  meetingFlags(),
				Action: addMeeting,
			},
			{
				Name:      "update",
				Usage:     "change one of this hub's meetings: only the flags given change",
				ArgsUsage: "ID",
				Flags:     meetingFlags(),
				Action:    updateMeeting,
			},
			{
				Name:  "list",
				Usage: "find meetings this hub holds, in the order they next happen",
				Flags: append(finderFlags(),
					&cli.IntFlag{Name: "next", Aliases: []string{"limit"}, Usage: "only the next N meetings (0 = all)"},
					&cli.BoolFlag{Name: "all", Usage: "include cancelled meetings"},
					jsonFlag,
				),
				Action: listMeetings,
			},
			{
				Name:      "show",
				Usage:     "show one meeting, with every field",
				ArgsUsage: "ID",
				Flags:     []cli.Flag{jsonFlag},
				Action:    showMeeting,
			},
			{
				Name:      "import",
				Usage:     "bring in a Meeting Guide JSON feed as this hub's meetings; importing it again changes only what changed",
				ArgsUsage: "FILE (or - for standard input)",
				Flags: []cli.Flag{
					jsonFlag,
					&cli.BoolFlag{Name: "dry-run", Usage: "say what would change, change nothing"},
					&cli.BoolFlag{Name: "prune", Usage: "cancel this hub's meetings that are not in the feed"},
					&cli.StringFlag{Name: "timezone", Usage: "IANA zone for rows without one (default: listings.default_timezone, else this machine's)"},
				},
				Action: importMeetings,
			},
			{
				Name:  "export",
				Usage: "write the meetings as a Meeting Guide JSON feed, which meeting-finder apps read",
				Flags: []cli.Flag{
					&cli.BoolFlag{Name: "mine", Usage: "only this hub's own meetings"},
					outFlag,
				},
				Action: exportMeetings,
			},
			{
				Name:  "print",
				Usage: "write a printable weekly schedule (HTML, one page a day, large type) for members with no phone",
				Flags: append(finderFlags(),
					&cli.StringFlag{Name: "page-lang", Usage: "language of the page's words: en, es or fr (default: --lang if the page has it, else en)"},
					outFlag,
				),
				Action: printSchedule,
			},
			{
				Name:      "cancel",
				Usage:     "cancel one of this hub's meetings: every hub shows it as cancelled until it expires",
				ArgsUsage: "ID",
				Action:    cancelMeeting,
			},
		},
	}
}

// meetingFlags are the flags of `meetings add` and `meetings update`.
func meetingFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "name", Usage: "the meeting's name"},
		&cli.StringFlag{Name: "day", Usage: "0-6 (0 = Sunday) or a day name"},
		&cli.StringFlag{Name: "time", Usage: "start time, HH:MM in 24 hours"},
		&cli.StringFlag{Name: "end", Usage: "end time, HH:MM in 24 hours"},
		&cli.StringFlag{Name: "timezone", Usage: "IANA zone such as Africa/Nairobi (default: listings.default_timezone, else this machine's)"},
		&cli.StringSliceFlag{Name: "type", Usage: "Meeting Guide type code, such as O (open) or C (closed); repeat for more"},
		&cli.StringFlag{Name: "address", Usage: "street address where the meeting is held: members see it as in person"},
		&cli.BoolFlag{Name: "approximate", Usage: "the address is only an area, not a door to knock on (members then see an online-only meeting as online)"},
		&cli.StringFlag{Name: "online", Usage: "URL of the online meeting (with --address too for a hybrid meeting)"},
		&cli.StringFlag{Name: "region", Usage: "town or area, shown even when the address is not"},
		&cli.StringFlag{Name: "language", Usage: "language tag of the meeting, such as en or sw"},
		&cli.StringFlag{Name: "notes", Usage: "notes for people coming"},
		&cli.StringFlag{Name: "format", Usage: "peer-led (a self-help group run by members) or facilitated (led by a professional); add's default: peer-led"},
		&cli.StringFlag{Name: "focus", Usage: strings.Join(protocol.Focuses, ", ")},
	}
}

func addMeeting(c *cli.Context) error {
	if err := noArgs(c); err != nil {
		return err
	}
	var missing []string
	for _, f := range []string{"name", "day", "time"} {
		if !c.IsSet(f) {
			missing = append(missing, "--"+f)
		}
	}
	if len(missing) > 0 {
		return usagef("meetings add needs %s: e.g. hearth meetings add --name \"Tuesday Hope\" --day tuesday --time 19:00",
			strings.Join(missing, " and "))
	}
	draft := node.Draft{Format: protocol.FormatPeerLed}
	if err := applyMeetingFlags(c, &draft); err != nil {
		return err
	}
	return withOperator(c, func(ctx context.Context, op node.Operator) error {
		m, err := op.AddMeeting(ctx, draft)
		if err != nil {
			return fmt.Errorf("meeting not added: %w", err)
		}
		fmt.Fprintln(c.App.Writer, m.ID)
		sayAttendance(c, m)
		return nil
	})
}

func updateMeeting(c *cli.Context) error {
	id, err := oneArg(c, "listing ID")
	if err != nil {
		return err
	}
	return withOperator(c, func(ctx context.Context, op node.Operator) error {
		current, err := op.Meeting(ctx, id)
		if err != nil {
			return err
		}
		if current.Listing == nil {
			return fmt.Errorf("the node returned meeting %s without its fields: try again", id)
		}
		draft := node.DraftOf(*current.Listing)
		if err := applyMeetingFlags(c, &draft); err != nil {
			return err
		}
		m, err := op.UpdateMeeting(ctx, id, draft)
		if err != nil {
			return fmt.Errorf("meeting not updated: %w", err)
		}
		fmt.Fprintln(c.App.Writer, m.ID)
		sayAttendance(c, m)
		return nil
	})
}

// applyMeetingFlags sets the meeting fields of the flags the user gave, so
// update changes only those. The node validates the result; only the day is
// parsed here, because the node takes it as a number.
func applyMeetingFlags(c *cli.Context, l *node.Draft) error {
	if c.IsSet("name") {
		l.Name = strings.TrimSpace(c.String("name"))
		if l.Name == "" {
			return usagef("--name is empty: give the meeting a name")
		}
	}
	if c.IsSet("day") {
		day, err := finder.ParseWeekday(c.String("day"))
		if err != nil {
			return usageError{err.Error()}
		}
		l.Day = &day
	}
	textFlags := []struct {
		flag  string
		field *string
	}{
		{"time", &l.Time},
		{"end", &l.EndTime},
		{"timezone", &l.Timezone},
		{"address", &l.Address},
		{"online", &l.ConferenceURL},
		{"region", &l.Region},
		{"language", &l.Language},
		{"notes", &l.Notes},
		{"format", &l.Format},
		{"focus", &l.Focus},
	}
	for _, s := range textFlags {
		if c.IsSet(s.flag) {
			*s.field = c.String(s.flag)
		}
	}
	if c.IsSet("address") {
		// One address line, whatever it looks like: the operator knows
		// the place is real (a formatted address with few commas would
		// read as an area), unless they say it is approximate.
		l.FormattedAddress = ""
	}
	if c.IsSet("approximate") {
		l.Approximate = c.Bool("approximate")
	}
	if c.IsSet("type") {
		l.Types = c.StringSlice("type")
	}
	return nil
}

// sayAttendance tells the operator, on stderr (stdout is the ID, for
// scripts), how members will see the meeting: the page's own words, and
// what to do if that is "not meeting for now".
func sayAttendance(c *cli.Context, m node.Meeting) {
	if m.Listing == nil {
		return
	}
	fmt.Fprintf(c.App.ErrWriter, "members see it as: %s\n", web.AttendanceLabel(m.Listing, "en"))
	if finder.Inactive(m.Listing) {
		fmt.Fprintln(c.App.ErrWriter, "it has no address to go to and no way to join online, so the page shows no time for it and lists it last; give it --address or --online")
	}
}

// finderFlags are the filters of `meetings list` and `meetings print`:
// the query language (finder.ParseQuery), each flag named as the filter.
func finderFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "day", Usage: "only this day: 0-6 (0 = Sunday), a day name, today or tomorrow (the hub's day)"},
		&cli.StringFlag{Name: "time", Usage: "only meetings starting in the morning, midday, evening or night"},
		&cli.StringSliceFlag{Name: "type", Usage: "only meetings of this Meeting Guide type code, such as O or W (repeat: all of them)"},
		&cli.StringFlag{Name: "region", Usage: "only meetings in this region or town"},
		&cli.StringFlag{Name: "language", Aliases: []string{"lang"}, Usage: "only meetings held in this language: a tag such as es, or a type code such as S"},
		&cli.StringFlag{Name: "attendance", Usage: "only meetings attended this way: in_person, online or hybrid"},
		&cli.StringFlag{Name: "q", Usage: "only meetings whose name, place, group, region or notes hold these words"},
		&cli.StringFlag{Name: "near", Usage: "only meetings near LAT,LON, such as -1.2921,36.8219"},
		&cli.StringFlag{Name: "radius", Usage: fmt.Sprintf("with --near: how far, such as 5km or 3mi (default %gkm)", float64(finder.DefaultRadiusKm))},
		&cli.BoolFlag{Name: "mine", Usage: "only this hub's own meetings"},
	}
}

// queryFromFlags reads the command's flags into a query with the query
// language's own parser: each flag given is handed over by name, as text,
// and the parser reads those that are its filters (day, type, limit, all…).
func queryFromFlags(ctx context.Context, c *cli.Context, op node.Operator) (finder.Query, error) {
	if c.IsSet("radius") && !c.IsSet("near") {
		return finder.Query{}, usagef("--radius needs --near LAT,LON: the place to measure from")
	}
	q, err := finder.ParseQuery(func(name string) []string {
		switch {
		case !c.IsSet(name):
			return nil
		case name == "type":
			return c.StringSlice(name)
		}
		return []string{c.String(name)}
	})
	if err != nil {
		return q, usageError{err.Error()}
	}
	if c.Bool("mine") {
		id, err := op.Identity(ctx)
		if err != nil {
			return q, err
		}
		q.Hub = id.ID
	}
	return q, nil
}

func listMeetings(c *cli.Context) error {
	if err := noArgs(c); err != nil {
		return err
	}
	return withOperator(c, func(ctx context.Context, op node.Operator) error {
		q, err := queryFromFlags(ctx, c, op)
		if err != nil {
			return err
		}
		meetings, err := op.Meetings(ctx, q)
		if err != nil {
			return err
		}
		if c.Bool("json") {
			return printJSON(c.App.Writer, node.APIMeetings(meetings))
		}
		zone, err := hubZone(ctx, op)
		if err != nil {
			return err
		}
		return meetingTable(c, meetings, q.Near != nil, zone)
	})
}

// hubZone is the hub's time zone (node.HubZone), as its node says: the
// CLI's "today" is the hub's, like the page's, whatever this machine's.
func hubZone(ctx context.Context, op node.Operator) (*time.Location, error) {
	st, err := op.Status(ctx)
	if err != nil {
		return nil, err
	}
	zone, err := protocol.LoadTimezone(st.Zone)
	if err != nil {
		return time.UTC, nil // a node with a zone this binary cannot load: UTC, as HubZone falls back
	}
	return zone, nil
}

// meetingTable prints meetings as a table, in the order given; with
// distance, a column of kilometres from --near. "Today" is the hub's (zone).
func meetingTable(c *cli.Context, meetings []node.Meeting, distance bool, zone *time.Location) error {
	if len(meetings) == 0 {
		fmt.Fprintln(c.App.Writer, "no meetings found")
		return nil
	}
	headers := []string{"WHEN", "TIME", "NAME", "TYPES", "HOW", "WHERE"}
	if distance {
		headers = append(headers, "KM")
	}
	t := newTable(c.App.Writer, append(headers, "ID")...)
	now := time.Now()
	for _, m := range meetings {
		name := truncate(m.Name, 40)
		if m.Cancelled {
			name = "CANCELLED " + name
		}
		when := whenWord(m, now, zone)
		row := []string{when, timeRange(m.Listing), name, strings.Join(m.Types, ","), web.AttendanceLabel(m.Listing, "en"), truncate(where(m.Listing), 30)}
		if distance {
			km := ""
			if m.DistanceKm != nil {
				km = strconv.FormatFloat(*m.DistanceKm, 'f', 1, 64)
			}
			row = append(row, km)
		}
		// The hub's own meetings are named by slug alone, which every
		// command accepts: the table stays narrow.
		id := m.ID
		if m.Own {
			id = m.Slug
		}
		t.row(append(row, id)...)
	}
	return t.flush()
}

func showMeeting(c *cli.Context) error {
	id, err := oneArg(c, "listing ID")
	if err != nil {
		return err
	}
	return withOperator(c, func(ctx context.Context, op node.Operator) error {
		m, err := op.Meeting(ctx, id)
		if err != nil {
			return err
		}
		if c.Bool("json") {
			return printJSON(c.App.Writer, m.API())
		}
		l := m.Listing
		w := c.App.Writer
		field := func(label, value string) {
			if value != "" {
				fmt.Fprintf(w, "%-10s %s\n", label+":", value)
			}
		}
		field("id", m.ID)
		field("name", l.Name)
		if l.Cancelled {
			field("status", "CANCELLED")
		}
		field("when", strings.TrimSpace(dayName(l.Day)+" "+timeRange(l)+" "+l.Timezone))
		field("attending", web.AttendanceLabel(l, "en"))
		field("types", typeNames(l.Types))
		field("format", l.Format)
		field("focus", l.Focus)
		field("language", l.Language)
		address := cmp.Or(l.FormattedAddress, strings.Join(nonEmpty(l.Address, l.City), ", "))
		if address != "" && l.Approximate {
			address += " (approximate: an area, not a door)"
		}
		field("address", address)
		field("region", l.Region)
		field("online", l.ConferenceURL)
		field("notes", l.Notes)
		field("hub", l.Hub)
		field("seq", fmt.Sprint(l.Seq))
		field("expires", l.ExpiresAt.Local().Format(time.DateTime))
		return nil
	})
}

func cancelMeeting(c *cli.Context) error {
	id, err := oneArg(c, "listing ID")
	if err != nil {
		return err
	}
	return withOperator(c, func(ctx context.Context, op node.Operator) error {
		m, err := op.CancelMeeting(ctx, id)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.App.Writer, "cancelled %s\n", m.ID)
		return nil
	})
}

// typeNames spells out Meeting Guide type codes in English, keeping each
// code so the operator can filter by it: "Open (O), Discussion (D)". An
// unknown code is shown as it is.
func typeNames(codes []string) string {
	names := make([]string, len(codes))
	for i, code := range codes {
		names[i] = code
		if meetingguide.KnownType(code) {
			names[i] = meetingguide.TypeName(code, "en") + " (" + code + ")"
		}
	}
	return strings.Join(names, ", ")
}

// whenWord says when a meeting next happens, for the table: "now", "today",
// "tomorrow", else its day; "today" is the hub's (zone), as on the page.
func whenWord(m node.Meeting, now time.Time, zone *time.Location) string {
	switch {
	case m.InProgress:
		return "now"
	case finder.Inactive(m.Listing):
		return "not now"
	case m.Next == nil:
		return dayName(m.Day)
	}
	switch finder.DaysAway(*m.Next, now, zone) {
	case 0:
		return "today"
	case 1:
		return "tomorrow"
	}
	return finder.WeekdayName(int(m.Next.In(zone).Weekday()))
}

func nonEmpty(parts ...string) []string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func dayName(day *int) string {
	if day == nil {
		return "by appointment"
	}
	return finder.WeekdayName(*day)
}

func timeRange(l *protocol.Listing) string {
	if l.EndTime != "" {
		return l.Time + "-" + l.EndTime
	}
	return l.Time
}

// where is the short place of a meeting for a table: the narrowest area it
// names (sub-region, region, city), else its address; and whether it is
// online.
func where(l *protocol.Listing) string {
	place := cmp.Or(l.SubRegion, l.Region, l.City, l.FormattedAddress, l.Address)
	switch {
	case l.ConferenceURL != "" && place != "":
		return place + " + online"
	case l.ConferenceURL != "":
		return "online"
	}
	return place
}
