package main

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"hearth/node"
	"hearth/node/web"
)

// printSchedule writes the printable weekly schedule of the meetings the
// filters find: for an operator to print and pin up, or hand to members
// with no phone.
func printSchedule(c *cli.Context) error {
	if err := noArgs(c); err != nil {
		return err
	}
	dir, err := existingNodeDir(c)
	if err != nil {
		return err
	}
	// The hub's name, zone and crisis lines go on every page.
	cfg, err := node.LoadConfig(node.ConfigPath(dir))
	if err != nil {
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
		if len(meetings) == 0 {
			return fmt.Errorf("no meetings to print: see them with 'hearth meetings list' and use the same filters")
		}
		var page bytes.Buffer
		lang := cmp.Or(c.String("page-lang"), c.String("language"))
		if err := web.WriteSchedule(&page, cfg, meetings, lang, time.Now()); err != nil {
			return err
		}
		return writeOutput(c, page.Bytes())
	})
}
