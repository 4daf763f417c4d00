package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"hearth/client/operator"
	"hearth/node"
)

// startupWait is how long a command waits for a node that is starting
// (or stopping) to answer on its operator socket.
const startupWait = 10 * time.Second

// withOperator calls fn with the hub on --dir: the running node through its
// operator socket, or, when none runs, the node's store opened here. fn's
// errors are returned as they are; opening errors say what to do.
func withOperator(c *cli.Context, fn func(ctx context.Context, op node.Operator) error) error {
	dir, err := existingNodeDir(c)
	if err != nil {
		return err
	}
	op, closeOp, err := openOperator(c.Context, dir, startupWait)
	if err != nil {
		return err
	}
	defer closeOp()
	return fn(c.Context, op)
}

// existingNodeDir is --dir, which must hold a node: every command but init
// and run works on one.
func existingNodeDir(c *cli.Context) (string, error) {
	dir, err := nodeDir(c)
	if err != nil {
		return "", err
	}
	if !node.IsNode(dir) {
		return "", fmt.Errorf("%w (%s): run 'hearth init' or 'hearth run' first", node.ErrNoNode, dir)
	}
	return dir, nil
}

// openOperator reaches the hub on dir: its socket if a node answers, else
// its store, opened under the directory's shared lock (node.LockDir). A
// node that holds the lock is starting or stopping: the store is not
// touched, and the command waits up to wait for the socket.
func openOperator(ctx context.Context, dir string, wait time.Duration) (node.Operator, func(), error) {
	deadline := time.Now().Add(wait)
	for {
		remote, err := operator.Dial(dir)
		if err == nil {
			return remote, func() { remote.Close() }, nil
		}
		if !errors.Is(err, operator.ErrNotRunning) {
			return nil, nil, err
		}
		release, err := node.LockDir(dir, false)
		switch {
		case err == nil:
			n, err := node.Open(dir, node.Options{})
			if err == nil {
				return n, func() { n.Close(); release() }, nil
			}
			release()
			if !errors.Is(err, node.ErrRunning) {
				return nil, nil, err
			}
			// Another command has the store for a moment: try again.
		case !errors.Is(err, node.ErrDirBusy):
			return nil, nil, err
		}
		if time.Now().After(deadline) {
			return nil, nil, fmt.Errorf("%w (%s): the hub is starting or stopping and does not answer on %s yet; try again in a moment", node.ErrDirBusy, dir, node.SocketPath(dir))
		}
		select {
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// withMember is withOperator for commands on a member's data: it asks for
// the PIN first, before the store is opened, so a node does not wait on
// someone typing. With confirm (a new PIN), the terminal asks twice.
func withMember(c *cli.Context, confirm bool, fn func(ctx context.Context, op node.Operator, pin string) error) error {
	if _, err := existingNodeDir(c); err != nil {
		return err
	}
	pin, err := readPIN(c.Context, c.App.ErrWriter, confirm)
	if err != nil {
		return err
	}
	return withOperator(c, func(ctx context.Context, op node.Operator) error { return fn(ctx, op, pin) })
}
