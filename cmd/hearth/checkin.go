package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"hearth/node"
	"hearth/node/members"
)

// memberFlag names the member of a checkin command.
var memberFlag = &cli.StringFlag{Name: "member", Usage: "the member's nickname"}

func checkinCommand() *cli.Command {
	outputFlags := []cli.Flag{
		memberFlag,
		jsonFlag,
		&cli.StringFlag{Name: "format", Usage: "json or csv"},
	}
	return &cli.Command{
		Name:  "checkin",
		Usage: "record and read a member's private check-ins (each needs the member's PIN)",
		Subcommands: []*cli.Command{
			{
				Name:  "add",
				Usage: "record a check-in for a member",
				Flags: []cli.Flag{
					memberFlag,
					&cli.IntFlag{Name: "mood", Usage: "how the member feels, 1 (very bad) to 5 (very good)"},
					&cli.IntFlag{Name: "craving", Usage: "how strong the craving is, 0 (none) to 10"},
					&cli.BoolFlag{Name: "used", Usage: "the member used or slipped since the last check-in"},
					&cli.StringSliceFlag{Name: "trigger", Usage: "a trigger tag, such as stress or lonely (repeat for more)"},
					&cli.StringFlag{Name: "note", Usage: "a private note; - reads it from stdin, out of the shell history and process list"},
				},
				Action: addCheckIn,
			},
			{
				Name:   "list",
				Usage:  "show a member's check-ins, newest first",
				Flags:  outputFlags,
				Action: func(c *cli.Context) error { return printCheckIns(c, "") },
			},
			{
				Name:   "export",
				Usage:  "write a member's check-ins as JSON (default) or CSV, for the member to keep",
				Flags:  outputFlags,
				Action: func(c *cli.Context) error { return printCheckIns(c, "json") },
			},
			{
				Name:   "erase",
				Usage:  "erase a member's check-ins and profile for good",
				Flags:  []cli.Flag{memberFlag},
				Action: eraseCheckIns,
			},
		},
	}
}

// memberNick is the --member flag, which every checkin command needs.
func memberNick(c *cli.Context) (string, error) {
	if err := noArgs(c); err != nil {
		return "", err
	}
	nick := strings.TrimSpace(c.String("member"))
	if nick == "" {
		return "", usagef("'%s' needs --member NICK", c.Command.HelpName)
	}
	return nick, nil
}

func addCheckIn(c *cli.Context) error {
	nick, err := memberNick(c)
	if err != nil {
		return err
	}
	if !c.IsSet("mood") {
		return usagef("checkin add needs --mood 1-5 (1 = very bad, 5 = very good)")
	}
	note := c.String("note")
	if note == "-" {
		if note, err = readNote(os.Stdin); err != nil {
			return err
		}
	}
	checkIn := members.CheckIn{
		Mood:     c.Int("mood"),
		Used:     c.Bool("used"),
		Triggers: c.StringSlice("trigger"),
		Note:     note,
	}
	if c.IsSet("craving") {
		// Left out, the craving is "not said", which is not the same as 0.
		craving := c.Int("craving")
		checkIn.Craving = &craving
	}
	// The members package's own check, before the PIN is asked for, so a
	// typo does not cost the member typing it.
	if err := checkIn.Validate(); err != nil {
		return usageError{err.Error()}
	}
	return withMember(c, false, func(ctx context.Context, op node.Operator, pin string) error {
		saved, err := op.AddCheckIn(ctx, nick, pin, checkIn)
		if err != nil {
			return err
		}
		zone, err := hubZone(ctx, op)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.App.Writer, "check-in saved for %s at %s\n", nick, saved.At.In(zone).Format("2006-01-02 15:04 MST"))
		return nil
	})
}

// maxNoteInput bounds what --note - reads; the node refuses notes over its
// own (smaller) limit with a clear message.
const maxNoteInput = 64 << 10

// readNote reads a note from r for --note -.
func readNote(r io.Reader) (string, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxNoteInput+1))
	if err != nil {
		return "", fmt.Errorf("reading the note from stdin: %w", err)
	}
	if len(data) > maxNoteInput {
		return "", errors.New("the note on stdin is too long: keep it to a few paragraphs")
	}
	return strings.TrimSpace(string(data)), nil
}

// printCheckIns is `checkin list` (text unless asked) and `checkin export`
// (defaultFormat "json").
func printCheckIns(c *cli.Context, defaultFormat string) error {
	nick, err := memberNick(c)
	if err != nil {
		return err
	}
	format := defaultFormat
	if c.IsSet("format") {
		format = strings.ToLower(c.String("format"))
		if format != "json" && format != "csv" {
			return usagef("--format %q: use json or csv", c.String("format"))
		}
		if c.Bool("json") && format != "json" {
			return usagef("--json and --format %s disagree: give one", format)
		}
	}
	if c.Bool("json") {
		format = "json"
	}
	return withMember(c, false, func(ctx context.Context, op node.Operator, pin string) error {
		if format == "json" && defaultFormat == "json" {
			// An export is the page's download, the same document.
			doc, err := op.ExportCheckIns(ctx, nick, pin)
			if err != nil {
				return err
			}
			return printJSON(c.App.Writer, doc)
		}
		list, err := op.CheckIns(ctx, nick, pin)
		if err != nil {
			return err
		}
		switch format {
		case "json":
			return printJSON(c.App.Writer, members.ExportCheckIns(list))
		case "csv":
			return members.ExportCSV(c.App.Writer, list)
		}
		zone, err := hubZone(ctx, op)
		if err != nil {
			return err
		}
		return printCheckInTable(c, nick, list, zone)
	})
}

// printCheckInTable lists check-ins with their times on the hub's clock
// (zone), as the member's page shows them.
func printCheckInTable(c *cli.Context, nick string, list []members.CheckIn, zone *time.Location) error {
	if len(list) == 0 {
		fmt.Fprintf(c.App.Writer, "%s has no check-ins yet\n", nick)
		return nil
	}
	t := newTable(c.App.Writer, "WHEN", "MOOD", "CRAVING", "USED", "TRIGGERS", "NOTE")
	for _, ci := range list {
		craving := "-"
		if ci.Craving != nil {
			craving = fmt.Sprint(*ci.Craving)
		}
		t.row(ci.At.In(zone).Format(time.DateTime), fmt.Sprint(ci.Mood), craving, yesNo(ci.Used),
			strings.Join(ci.Triggers, ","), truncate(ci.Note, 50))
	}
	return t.flush()
}

func eraseCheckIns(c *cli.Context) error {
	nick, err := memberNick(c)
	if err != nil {
		return err
	}
	return withMember(c, false, func(ctx context.Context, op node.Operator, pin string) error {
		if err := op.EraseCheckIns(ctx, nick, pin); err != nil {
			return err
		}
		fmt.Fprintf(c.App.Writer, "erased everything %s wrote, for good\n", nick)
		return nil
	})
}
