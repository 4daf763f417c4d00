package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/term"
)

// pinEnv lets scripts and tests give a member's PIN without a terminal.
const pinEnv = "HEARTH_PIN"

// readPIN gets a member's PIN from HEARTH_PIN or, failing that, from the
// terminal with echo off. With confirm (a new PIN), the terminal asks twice
// so a typo does not lock the member out of their own data. Prompts go to
// stderr so stdout stays clean for --json.
func readPIN(ctx context.Context, prompt io.Writer, confirm bool) (string, error) {
	if pin := os.Getenv(pinEnv); pin != "" {
		return pin, nil
	}
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		return "", errors.New("set HEARTH_PIN or run in a terminal to type the PIN")
	}
	pin, err := askPIN(ctx, prompt, fd, "PIN: ")
	if err != nil {
		return "", err
	}
	if pin == "" {
		return "", errors.New("the PIN is empty: type one, or set HEARTH_PIN")
	}
	if confirm {
		again, err := askPIN(ctx, prompt, fd, "PIN again: ")
		if err != nil {
			return "", err
		}
		if again != pin {
			return "", errors.New("the two PINs differ: nothing was changed; run the command again")
		}
	}
	return pin, nil
}

// askPIN reads one line with echo off. Ctrl-C is caught by the command's
// context rather than killing the process, so the terminal's echo is
// restored before returning instead of being left off.
func askPIN(ctx context.Context, prompt io.Writer, fd int, label string) (string, error) {
	state, err := term.GetState(fd)
	if err != nil {
		return "", fmt.Errorf("terminal: %w", err)
	}
	fmt.Fprint(prompt, label)
	type result struct {
		pin []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		pin, err := term.ReadPassword(fd)
		done <- result{pin, err}
	}()
	select {
	case r := <-done:
		fmt.Fprintln(prompt)
		if r.err != nil {
			return "", fmt.Errorf("terminal: %w", r.err)
		}
		return string(r.pin), nil
	case <-ctx.Done():
		term.Restore(fd, state)
		fmt.Fprintln(prompt)
		return "", errors.New("interrupted: nothing was changed")
	}
}
