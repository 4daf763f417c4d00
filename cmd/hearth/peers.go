package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"hearth/node"
)

func peersCommand() *cli.Command {
	return &cli.Command{
		Name:  "peers",
		Usage: "list, add, trust and block other hubs",
		Subcommands: []*cli.Command{
			{
				Name:  "list",
				Usage: "list the hubs in the peer book and every connected hub",
				Flags: []cli.Flag{jsonFlag},
				Action: func(c *cli.Context) error {
					if err := noArgs(c); err != nil {
						return err
					}
					return withOperator(c, func(ctx context.Context, op node.Operator) error {
						peers, err := op.Peers(ctx)
						if err != nil {
							return err
						}
						if c.Bool("json") {
							return printJSON(c.App.Writer, peers)
						}
						return printPeers(c, peers)
					})
				},
			},
			{
				Name:      "add",
				Usage:     "connect to a hub now and keep it connected, across restarts",
				ArgsUsage: "MULTIADDR (the full address 'hearth id' prints on the other hub)",
				Flags: []cli.Flag{
					&cli.BoolFlag{Name: "trust", Usage: "also trust the hub (matters under policy \"trusted\")"},
				},
				Action: addPeer,
			},
			peerChange("remove", "forget a hub: no longer kept connected, trusted or blocked", "removed",
				func(ctx context.Context, op node.Operator, id string) error { return op.RemovePeer(ctx, id) }),
			peerChange("trust", "trust a hub's listings (policy \"trusted\" takes only these)", "trusted",
				func(ctx context.Context, op node.Operator, id string) error { return op.SetTrusted(ctx, id, true) }),
			peerChange("untrust", "stop trusting a hub", "no longer trusted",
				func(ctx context.Context, op node.Operator, id string) error { return op.SetTrusted(ctx, id, false) }),
			peerChange("block", "refuse a hub: disconnect it and drop its listings", "blocked",
				func(ctx context.Context, op node.Operator, id string) error { return op.SetBlocked(ctx, id, true) }),
			peerChange("unblock", "let a blocked hub connect again", "unblocked",
				func(ctx context.Context, op node.Operator, id string) error { return op.SetBlocked(ctx, id, false) }),
		},
	}
}

func addPeer(c *cli.Context) error {
	addr, err := oneArg(c, "MULTIADDR")
	if err != nil {
		return err
	}
	return withOperator(c, func(ctx context.Context, op node.Operator) error {
		p, err := op.AddPeer(ctx, addr, c.Bool("trust"))
		if err != nil {
			return err
		}
		switch {
		case p.Connected:
			fmt.Fprintf(c.App.Writer, "added %s: connected\n", p.ID)
		default:
			// Not an error: the node keeps trying with backoff, and a node
			// that is not running connects when it starts.
			fmt.Fprintf(c.App.Writer, "added %s: not connected yet; the running node keeps trying\n", p.ID)
		}
		return nil
	})
}

// peerChange is a subcommand that takes one PEERID and changes its entry.
func peerChange(name, usage, done string, change func(context.Context, node.Operator, string) error) *cli.Command {
	return &cli.Command{
		Name:      name,
		Usage:     usage,
		ArgsUsage: "PEERID",
		Action: func(c *cli.Context) error {
			id, err := oneArg(c, "PEERID")
			if err != nil {
				return err
			}
			return withOperator(c, func(ctx context.Context, op node.Operator) error {
				if err := change(ctx, op, id); err != nil {
					return err
				}
				fmt.Fprintf(c.App.Writer, "%s %s\n", done, id)
				return nil
			})
		},
	}
}

func printPeers(c *cli.Context, peers []node.PeerInfo) error {
	if len(peers) == 0 {
		fmt.Fprintln(c.App.Writer, "no peers yet: add one with 'hearth peers add MULTIADDR'")
		return nil
	}
	t := newTable(c.App.Writer, "PEER ID", "CONNECTED", "KEPT", "TRUSTED", "BLOCKED", "ADDRESSES")
	for _, p := range peers {
		t.row(p.ID, yesNo(p.Connected), yesNo(p.Kept), yesNo(p.Trusted), yesNo(p.Blocked), strings.Join(p.Addrs, " "))
	}
	return t.flush()
}
