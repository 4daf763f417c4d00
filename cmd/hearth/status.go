package main

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"

	"hearth/node"
)

func idCommand() *cli.Command {
	return &cli.Command{
		Name:  "id",
		Usage: "print the hub's peer ID and addresses (the live ones while it runs)",
		Flags: []cli.Flag{jsonFlag},
		Action: func(c *cli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			return withOperator(c, func(ctx context.Context, op node.Operator) error {
				id, err := op.Identity(ctx)
				if err != nil {
					return err
				}
				if c.Bool("json") {
					return printJSON(c.App.Writer, id)
				}
				fmt.Fprintf(c.App.Writer, "peer ID: %s\n", id.ID)
				for _, a := range id.Addrs {
					fmt.Fprintf(c.App.Writer, "address: %s\n", a)
				}
				return nil
			})
		},
	}
}

func statusCommand() *cli.Command {
	return &cli.Command{
		Name:  "status",
		Usage: "show whether the hub runs, its peers, listings, members and refused messages",
		Flags: []cli.Flag{jsonFlag},
		Action: func(c *cli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			return withOperator(c, func(ctx context.Context, op node.Operator) error {
				s, err := op.Status(ctx)
				if err != nil {
					return err
				}
				if c.Bool("json") {
					return printJSON(c.App.Writer, s)
				}
				printStatus(c, s)
				return nil
			})
		},
	}
}

func printStatus(c *cli.Context, s node.Status) {
	w := c.App.Writer
	name := s.Name
	if name == "" {
		name = "(no name)"
	}
	fmt.Fprintf(w, "hub:       %s\n", name)
	fmt.Fprintf(w, "peer ID:   %s\n", s.ID)
	if s.Running {
		fmt.Fprintf(w, "running:   yes, member page at %s\n", s.WebURL())
		fmt.Fprintf(w, "peers:     %d connected\n", s.Peers)
	} else {
		fmt.Fprintf(w, "running:   no (start it with 'hearth run'); member page will be at %s\n", s.WebURL())
	}
	fmt.Fprintf(w, "policy:    %s\n", s.Policy)
	fmt.Fprintf(w, "listings:  %d own, %d from other hubs, %d of them cancelled\n",
		s.Listings.Own, s.Listings.Others, s.Listings.Cancelled)
	fmt.Fprintf(w, "members:   %d\n", s.Members)
	switch s.ZoneFrom {
	case node.ZoneFromConfig:
		fmt.Fprintf(w, "zone:      %s\n", s.Zone)
	default:
		fmt.Fprintf(w, "zone:      %s, NOT SET: this machine's zone stands in, so \"today\" on the page may be the wrong day; set listings.default_timezone in config.toml (such as \"Africa/Nairobi\") and restart\n", s.Zone)
	}
	if s.CrisisLines == 0 {
		fmt.Fprintln(w, "crisis:    NO CRISIS LINES SET: help pages tell members to call their local emergency number; set help.crisis_lines in config.toml")
	}
	if s.Running {
		fmt.Fprintf(w, "accepted:  %d listings since start\n", s.Accepted)
	}
	var rejected []string
	for reason, count := range s.Rejected {
		if count > 0 {
			rejected = append(rejected, fmt.Sprintf("%s %d", reason, count))
		}
	}
	if len(rejected) > 0 {
		sort.Strings(rejected)
		fmt.Fprintf(w, "rejected:  %s\n", strings.Join(rejected, ", "))
	}
	var dropped []string
	for reason, count := range s.Dropped {
		dropped = append(dropped, fmt.Sprintf("%s %d", reason, count))
	}
	if len(dropped) > 0 {
		sort.Strings(dropped)
		fmt.Fprintf(w, "dropped:   %s (stored listings that break a protocol rule, dropped at start)\n", strings.Join(dropped, ", "))
	}
}
