package node

import (
	"testing"

	"go.uber.org/goleak"
)

// Every test stops what it started: Run owns its goroutines and returns
// only when they have all stopped.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// Started once per process by libp2p and its dependencies, not per node.
		goleak.IgnoreTopFunction("github.com/libp2p/go-flow-metrics.(*sweeper).run"),
		goleak.IgnoreTopFunction("go.opencensus.io/stats/view.(*worker).start"),
		goleak.IgnoreAnyFunction("github.com/ipfs/go-log/v2/writer.(*MirrorWriter).logRoutine"),
	)
}
