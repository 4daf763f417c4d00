package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"hearth/node"
)

func tlsCommand() *cli.Command {
	return &cli.Command{
		Name:  "tls",
		Usage: "certificates for serving the member page over HTTPS",
		Subcommands: []*cli.Command{
			{
				Name: "selfsigned",
				Usage: "make a certificate for phones on the hub's network, signed by its own key, and point config.toml at it " +
					"(covers localhost, this machine's name and its network addresses)",
				Flags: []cli.Flag{
					&cli.StringSliceFlag{Name: "host", Usage: "another name or address the page is reached by (repeat for more)"},
					&cli.IntFlag{Name: "days", Value: 825, Usage: "how long the certificate is good for"},
					&cli.BoolFlag{Name: "replace", Usage: "replace a certificate made before (members must accept the new one)"},
				},
				Action: selfSigned,
			},
		},
	}
}

func selfSigned(c *cli.Context) error {
	if err := noArgs(c); err != nil {
		return err
	}
	dir, err := existingNodeDir(c)
	if err != nil {
		return err
	}
	if c.Int("days") < 1 || c.Int("days") > 3650 {
		return usagef("--days: between 1 and 3650")
	}
	made, err := node.SelfSignedTLS(dir, c.StringSlice("host"), time.Duration(c.Int("days"))*24*time.Hour, c.Bool("replace"), time.Now())
	if err != nil {
		return err
	}
	w := c.App.Writer
	fmt.Fprintf(w, "certificate: %s\nkey:         %s (only you can read it)\n", made.CertFile, made.KeyFile)
	fmt.Fprintf(w, "good for:    %s, until %s\n", strings.Join(made.Names, ", "), made.NotAfter.Format(time.DateOnly))
	fmt.Fprintf(w, "SHA-256:     %s\n", made.Fingerprint)
	path := node.ConfigPath(dir)
	if setTLSInConfig(path, made.CertFile, made.KeyFile) {
		fmt.Fprintf(w, "set web.tls_cert and web.tls_key in %s; restart the hub ('hearth run') to serve HTTPS\n", path)
	} else {
		fmt.Fprintf(w, "set these in the [web] table of %s, then restart the hub:\n  tls_cert = %q\n  tls_key = %q\n", path, made.CertFile, made.KeyFile)
	}
	fmt.Fprintln(w, "Phones warn about a certificate they do not know the first time: see the README, \"Serving phones on the hub's Wi-Fi\".")
	return nil
}

// tlsLine is a tls_cert or tls_key line of config.toml, empty or pointing
// at a certificate this command made before.
var tlsLine = regexp.MustCompile(`(?m)^(tls_cert|tls_key) = "(.*)"$`)

// setTLSInConfig points config.toml's tls_cert and tls_key at the new
// files if both are empty or already point into the node's tls/ folder;
// an operator's own setting is left alone. It reports whether it did.
func setTLSInConfig(path, cert, key string) bool {
	data, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	lines := tlsLine.FindAllStringSubmatch(string(data), -1)
	if len(lines) != 2 {
		return false
	}
	for _, m := range lines {
		if m[2] != "" && filepath.Dir(m[2]) != filepath.Dir(cert) {
			return false
		}
	}
	out := tlsLine.ReplaceAllStringFunc(string(data), func(line string) string {
		if strings.HasPrefix(line, "tls_cert") {
			return fmt.Sprintf("tls_cert = %q", cert)
		}
		return fmt.Sprintf("tls_key = %q", key)
	})
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(out), 0o600); err != nil {
		return false
	}
	if _, err := node.LoadConfig(tmp); err != nil {
		// The edit must leave a config the node loads; else say what to set.
		os.Remove(tmp)
		return false
	}
	return os.Rename(tmp, path) == nil
}
