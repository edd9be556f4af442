// karpenter-check parses EventBridge messages, one JSON body per stdin line, with the parsers of
// Karpenter's interruption controller (karpenter-provider-aws, pkg/controllers/interruption/
// messages/...) and prints what Karpenter understood, one JSON line each. A parser is picked by
// its own Version/Source/DetailType, as the controller does.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/aws/karpenter-provider-aws/pkg/controllers/interruption/messages"
	"github.com/aws/karpenter-provider-aws/pkg/controllers/interruption/messages/rebalancerecommendation"
	"github.com/aws/karpenter-provider-aws/pkg/controllers/interruption/messages/scheduledchange"
	"github.com/aws/karpenter-provider-aws/pkg/controllers/interruption/messages/spotinterruption"
	"github.com/aws/karpenter-provider-aws/pkg/controllers/interruption/messages/statechange"
)

type result struct {
	Kind        string   `json:"kind"`
	InstanceIDs []string `json:"instanceIds"`
	StartTime   string   `json:"startTime"`
	Error       string   `json:"error,omitempty"`
}

func main() {
	parsers := []messages.Parser{statechange.Parser{}, spotinterruption.Parser{}, scheduledchange.Parser{}, rebalancerecommendation.Parser{}}
	scanner := bufio.NewScanner(os.Stdin)
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	for scanner.Scan() {
		raw := scanner.Text()
		var metadata messages.Metadata
		out := result{}
		if err := json.Unmarshal([]byte(raw), &metadata); err != nil {
			out.Error = err.Error()
		} else {
			var parser messages.Parser
			for _, p := range parsers {
				if p.Version() == metadata.Version && p.Source() == metadata.Source && p.DetailType() == metadata.DetailType {
					parser = p
				}
			}
			if parser == nil {
				out.Error = fmt.Sprintf("no parser for %s %s %s", metadata.Version, metadata.Source, metadata.DetailType)
			} else if message, err := parser.Parse(raw); err != nil {
				out.Error = err.Error()
			} else if message == nil {
				out.Error = "ignored by the parser"
			} else {
				out.Kind = string(message.Kind())
				out.InstanceIDs = message.EC2InstanceIDs()
				out.StartTime = message.StartTime().UTC().Format(time.RFC3339)
			}
		}
		line, _ := json.Marshal(out)
		fmt.Println(string(line))
	}
}
