package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"hearth/node"
	"hearth/node/finder"
	"hearth/protocol"
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
				Flags: []cli.Flag{
					jsonFlag,
					&cli.StringFlag{Name: "day", Usage: "only this day: 0-6 (0 = Sunday) or a day name"},
					&cli.StringSliceFlag{Name: "type", Usage: "only meetings of this Meeting Guide type code (repeat for more)"},
					&cli.StringFlag{Name: "q", Usage: "only meetings whose text contains this"},
					&cli.BoolFlag{Name: "mine", Usage: "only this hub's own meetings"},
					&cli.BoolFlag{Name: "all", Usage: "include cancelled meetings"},
					&cli.IntFlag{Name: "limit", Usage: "at most this many (0 = all)"},
				},
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
		&cli.StringFlag{Name: "address", Usage: "street address where the meeting is held"},
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
	draft := protocol.Listing{Format: protocol.FormatPeerLed}
	if err := applyMeetingFlags(c, &draft); err != nil {
		return err
	}
	return withOperator(c, func(ctx context.Context, op node.Operator) error {
		m, err := op.AddMeeting(ctx, draft)
		if err != nil {
			return fmt.Errorf("meeting not added: %w", err)
		}
		fmt.Fprintln(c.App.Writer, m.ID)
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
		draft := *current.Listing
		if err := applyMeetingFlags(c, &draft); err != nil {
			return err
		}
		m, err := op.UpdateMeeting(ctx, id, draft)
		if err != nil {
			return fmt.Errorf("meeting not updated: %w", err)
		}
		fmt.Fprintln(c.App.Writer, m.ID)
		return nil
	})
}

// applyMeetingFlags sets the listing fields of the flags the user gave, so
// update changes only those. The node validates the result; only the day is
// parsed here, because the node takes it as a number.
func applyMeetingFlags(c *cli.Context, l *protocol.Listing) error {
	if c.IsSet("name") {
		l.Name = strings.TrimSpace(c.String("name"))
		if l.Name == "" {
			return usagef("--name is empty: give the meeting a name")
		}
	}
	if c.IsSet("day") {
		day, err := node.ParseDay(c.String("day"))
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
		{"address", &l.FormattedAddress},
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
	if c.IsSet("type") {
		l.Types = c.StringSlice("type")
	}
	return nil
}

func listMeetings(c *cli.Context) error {
	if err := noArgs(c); err != nil {
		return err
	}
	q := finder.Query{
		Types:            c.StringSlice("type"),
		Text:             c.String("q"),
		IncludeCancelled: c.Bool("all"),
		Limit:            c.Int("limit"),
	}
	if c.Int("limit") < 0 {
		return usagef("--limit must be 0 (all) or more")
	}
	if c.IsSet("day") {
		day, err := node.ParseDay(c.String("day"))
		if err != nil {
			return usageError{err.Error()}
		}
		q.Day = &day
	}
	return withOperator(c, func(ctx context.Context, op node.Operator) error {
		if c.Bool("mine") {
			id, err := op.Identity(ctx)
			if err != nil {
				return err
			}
			q.Hub = id.ID
		}
		meetings, err := op.Meetings(ctx, q)
		if err != nil {
			return err
		}
		if meetings == nil {
			meetings = []node.Meeting{} // [] in JSON, not null
		}
		if c.Bool("json") {
			return printJSON(c.App.Writer, meetings)
		}
		return printMeetings(c, meetings)
	})
}

func printMeetings(c *cli.Context, meetings []node.Meeting) error {
	if len(meetings) == 0 {
		fmt.Fprintln(c.App.Writer, "no meetings found")
		return nil
	}
	t := newTable(c.App.Writer, "DAY", "TIME", "NAME", "TYPES", "WHERE", "ID")
	for _, m := range meetings {
		name := truncate(m.Name, 40)
		if m.Cancelled {
			name = "CANCELLED " + name
		}
		// The hub's own meetings are named by slug alone, which every
		// command accepts: the table stays narrow.
		id := m.ID
		if m.Own {
			id = m.Slug
		}
		t.row(dayName(m.Day), timeRange(m.Listing), name, strings.Join(m.Types, ","), truncate(where(m.Listing), 30), id)
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
			return printJSON(c.App.Writer, m)
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
		field("types", strings.Join(l.Types, ", "))
		field("format", l.Format)
		field("focus", l.Focus)
		field("language", l.Language)
		field("address", l.FormattedAddress)
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

func dayName(day *int) string {
	if day == nil {
		return "by appointment"
	}
	return node.DayName(*day)
}

func timeRange(l *protocol.Listing) string {
	if l.EndTime != "" {
		return l.Time + "-" + l.EndTime
	}
	return l.Time
}

// where is the short place of a meeting for a table: its region or
// address, and whether it is online.
func where(l *protocol.Listing) string {
	place := l.Region
	if place == "" {
		place = l.FormattedAddress
	}
	switch {
	case l.ConferenceURL != "" && place != "":
		return place + " + online"
	case l.ConferenceURL != "":
		return "online"
	}
	return place
}
