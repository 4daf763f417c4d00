package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"hearth/node"
	"hearth/node/members"
)

func membersCommand() *cli.Command {
	return &cli.Command{
		Name:  "members",
		Usage: "make and remove member accounts (each member's data is readable only with their PIN)",
		Subcommands: []*cli.Command{
			{
				Name:      "add",
				Usage:     "make a member account; the PIN is typed twice, or taken from HEARTH_PIN",
				ArgsUsage: "NICK",
				Action: func(c *cli.Context) error {
					nick, err := oneArg(c, "NICK")
					if err != nil {
						return err
					}
					return withMember(c, true, func(ctx context.Context, op node.Operator, pin string) error {
						if err := op.AddMember(ctx, nick, pin); err != nil {
							return err
						}
						fmt.Fprintf(c.App.Writer, "added member %s: a forgotten PIN cannot be recovered, and neither can their check-ins\n", nick)
						return nil
					})
				},
			},
			{
				Name:      "remove",
				Usage:     "erase a member and everything they wrote, for good (needs their PIN)",
				ArgsUsage: "NICK",
				Action: func(c *cli.Context) error {
					nick, err := oneArg(c, "NICK")
					if err != nil {
						return err
					}
					return withMember(c, false, func(ctx context.Context, op node.Operator, pin string) error {
						if err := op.RemoveMember(ctx, nick, pin); err != nil {
							return err
						}
						fmt.Fprintf(c.App.Writer, "removed member %s and their check-ins\n", nick)
						return nil
					})
				},
			},
			{
				Name:      "unlock",
				Usage:     "let a member locked out by wrong PINs sign in again at once (their PIN is not needed)",
				ArgsUsage: "NICK",
				Action: func(c *cli.Context) error {
					nick, err := oneArg(c, "NICK")
					if err != nil {
						return err
					}
					return withOperator(c, func(ctx context.Context, op node.Operator) error {
						counted, err := op.UnlockMember(ctx, nick)
						if err != nil {
							return err
						}
						list, err := op.ListMembers(ctx)
						if err != nil {
							return err
						}
						known := slices.ContainsFunc(list, func(m members.Summary) bool { return strings.EqualFold(m.Nick, strings.TrimSpace(nick)) })
						w := c.App.Writer
						switch {
						case !known:
							fmt.Fprintf(w, "no member is called %s (see 'hearth members list'); any lock on that name is cleared\n", nick)
						case counted == 0:
							fmt.Fprintf(w, "%s was not locked: they can sign in now\n", nick)
						default:
							fmt.Fprintf(w, "unlocked %s: %d attempts that were not their PIN are forgotten; they can sign in now\n", nick, counted)
						}
						return nil
					})
				},
			},
			{
				Name:  "list",
				Usage: "list member accounts: nicknames and counts, nothing private",
				Flags: []cli.Flag{jsonFlag},
				Action: func(c *cli.Context) error {
					if err := noArgs(c); err != nil {
						return err
					}
					return withOperator(c, func(ctx context.Context, op node.Operator) error {
						list, err := op.ListMembers(ctx)
						if err != nil {
							return err
						}
						if list == nil {
							list = []members.Summary{}
						}
						if c.Bool("json") {
							return printJSON(c.App.Writer, list)
						}
						return printMembers(c, list)
					})
				},
			},
		},
	}
}

func printMembers(c *cli.Context, list []members.Summary) error {
	if len(list) == 0 {
		fmt.Fprintln(c.App.Writer, "no members yet: add one with 'hearth members add NICK'")
		return nil
	}
	t := newTable(c.App.Writer, "NICK", "CHECK-INS", "SINCE")
	for _, m := range list {
		t.row(m.Nick, fmt.Sprint(m.CheckIns), m.Created.Local().Format(time.DateOnly))
	}
	return t.flush()
}
