package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"hearth/node"
	"hearth/protocol"
)

func importMeetings(c *cli.Context) error {
	file, err := oneArg(c, "feed file")
	if err != nil {
		return err
	}
	if tz := c.String("timezone"); tz != "" {
		if _, err := protocol.LoadTimezone(tz); err != nil {
			return usagef("--timezone: %v", err)
		}
	}
	feed, err := readFeed(c, file)
	if err != nil {
		return err
	}
	if file == "-" {
		file = "standard input"
	}
	opts := node.ImportOptions{DryRun: c.Bool("dry-run"), Prune: c.Bool("prune"), Timezone: c.String("timezone")}
	return withOperator(c, func(ctx context.Context, op node.Operator) error {
		sum, err := op.ImportMeetings(ctx, feed, opts)
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		if c.Bool("json") {
			return printJSON(c.App.Writer, sum)
		}
		printImportSummary(c.App.Writer, file, sum)
		return nil
	})
}

// readFeed reads the feed file, or standard input for "-".
func readFeed(c *cli.Context, file string) ([]byte, error) {
	var r io.Reader = c.App.Reader
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return nil, fmt.Errorf("cannot read %s: %w", file, errors.Unwrap(err))
		}
		defer f.Close()
		r = f
	}
	if r == nil {
		r = os.Stdin
	}
	feed, err := io.ReadAll(io.LimitReader(r, node.MaxFeedBytes+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read the feed %s: %w", file, err)
	}
	if len(feed) > node.MaxFeedBytes {
		return nil, fmt.Errorf("%s: %w", file, node.ErrFeedTooLarge)
	}
	return feed, nil
}

// printImportSummary says what an import did, then every row an operator
// should look at: skipped ones (to fix), unknown conference providers (to
// allow or fix) and repairs (details dropped to keep the meeting).
func printImportSummary(w io.Writer, file string, sum node.ImportSummary) {
	counts := fmt.Sprintf("%d added, %d updated, %d unchanged, %d cancelled, %d skipped",
		sum.Added, sum.Updated, sum.Unchanged, sum.Cancelled, len(sum.Skipped))
	if sum.DryRun {
		fmt.Fprintf(w, "dry run of %s, nothing changed; an import would make: %s\n", filepath.Base(file), counts)
	} else {
		fmt.Fprintf(w, "imported %s: %s\n", filepath.Base(file), counts)
	}
	if sum.ZoneSet != "" {
		fmt.Fprintf(w, "the hub's time zone is now %s (listings.default_timezone was empty): its \"today\" is that zone's\n", sum.ZoneSet)
		if sum.ZoneNeedsRestart {
			fmt.Fprintln(w, "restart the hub ('hearth run') for its page to use it")
		}
	}
	if len(sum.Skipped) > 0 {
		fmt.Fprintln(w, "\nskipped rows (fix them in the feed and import again):")
		for _, s := range sum.Skipped {
			fmt.Fprintf(w, "  %s  %s\n", rowRef(s.Index, s.Slug), s.Reason)
		}
	}
	if len(sum.UnknownProviders) > 0 {
		fmt.Fprintln(w, "\nconference links on hosts not in meetings.conference_providers (imported; if a host is a real")
		fmt.Fprintln(w, "meeting service, add it to config.toml, else fix the link in the feed):")
		for _, f := range sum.UnknownProviders {
			fmt.Fprintf(w, "  %s  %s\n", rowRef(f.Index, f.Slug), f.Host)
		}
	}
	if len(sum.Repairs) > 0 {
		fmt.Fprintln(w, "\nrepaired rows (imported after this change):")
		for _, r := range sum.Repairs {
			fmt.Fprintf(w, "  %s  %s\n", rowRef(r.Index, r.Slug), r.What)
		}
	}
}

// rowRef names a feed row the way a JSON tool finds it: its index in the
// array, counting from 0, and its slug.
func rowRef(index int, slug string) string {
	if slug == "" {
		return fmt.Sprintf("[%d]", index)
	}
	return fmt.Sprintf("[%d] %q", index, slug)
}

func exportMeetings(c *cli.Context) error {
	if err := noArgs(c); err != nil {
		return err
	}
	return withOperator(c, func(ctx context.Context, op node.Operator) error {
		feed, err := op.ExportMeetings(ctx, c.Bool("mine"))
		if err != nil {
			return err
		}
		return writeOutput(c, feed)
	})
}
