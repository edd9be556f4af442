// nth-check runs aws-node-termination-handler's own monitors against aemm and prints, one JSON
// line each, the interruption events NTH made of what it read:
//   - with -imds URL, IMDS mode once: the spot ITN, rebalance recommendation and scheduled event
//     monitors (pkg/monitor/spotitn, rebalancerecommendation, scheduledevent) over NTH's own IMDS
//     client (pkg/ec2metadata), which also reads the instance id NTH would drain for;
//   - the queue processor (pkg/monitor/sqsevent, the code NTH runs in queue-processor mode) on the
//     SQS queue given, until -count events came out of it.
//
// The EC2 and Auto Scaling APIs NTH calls on the side are answered by small fakes; SQS is the
// real queue given on the command line.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"time"

	"github.com/aws/aws-node-termination-handler/pkg/ec2metadata"
	"github.com/aws/aws-node-termination-handler/pkg/monitor"
	"github.com/aws/aws-node-termination-handler/pkg/monitor/rebalancerecommendation"
	"github.com/aws/aws-node-termination-handler/pkg/monitor/scheduledevent"
	"github.com/aws/aws-node-termination-handler/pkg/monitor/spotitn"
	"github.com/aws/aws-node-termination-handler/pkg/monitor/sqsevent"
	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/session"
	"github.com/aws/aws-sdk-go/service/autoscaling"
	"github.com/aws/aws-sdk-go/service/autoscaling/autoscalingiface"
	"github.com/aws/aws-sdk-go/service/ec2"
	"github.com/aws/aws-sdk-go/service/ec2/ec2iface"
	"github.com/aws/aws-sdk-go/service/sqs"
	"github.com/rs/zerolog"
)

// fakeEC2 answers DescribeInstances for the one instance under test, as a running node would.
type fakeEC2 struct {
	ec2iface.EC2API
	zone string
}

func (f fakeEC2) DescribeInstances(input *ec2.DescribeInstancesInput) (*ec2.DescribeInstancesOutput, error) {
	id := aws.StringValue(input.InstanceIds[0])
	return &ec2.DescribeInstancesOutput{Reservations: []*ec2.Reservation{{Instances: []*ec2.Instance{{
		InstanceId:     aws.String(id),
		PrivateDnsName: aws.String("ip-10-0-0-1.ec2.internal"),
		Placement:      &ec2.Placement{AvailabilityZone: aws.String(f.zone)},
		State:          &ec2.InstanceState{Name: aws.String(ec2.InstanceStateNameRunning)},
	}}}}}, nil
}

// fakeASG accepts lifecycle completions; NTH calls it only after a drain, which we never run.
type fakeASG struct {
	autoscalingiface.AutoScalingAPI
}

func (fakeASG) CompleteLifecycleAction(*autoscaling.CompleteLifecycleActionInput) (*autoscaling.CompleteLifecycleActionOutput, error) {
	return &autoscaling.CompleteLifecycleActionOutput{}, nil
}

type result struct {
	// Channel is "imds" or "sqs": which of NTH's modes concluded this.
	Channel     string `json:"channel"`
	Kind        string `json:"kind,omitempty"`
	EventID     string `json:"eventId,omitempty"`
	InstanceID  string `json:"instanceId,omitempty"`
	StartTime   string `json:"startTime,omitempty"`
	EndTime     string `json:"endTime,omitempty"`
	State       string `json:"state,omitempty"`
	Canceled    bool   `json:"canceled,omitempty"`
	Description string `json:"description,omitempty"`
	// Error is what a monitor returned instead of events (the instance gone, say).
	Error string `json:"error,omitempty"`
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func emit(channel string, instanceID string, event monitor.InterruptionEvent, canceled bool) {
	if instanceID == "" {
		instanceID = event.InstanceID
	}
	line, _ := json.Marshal(result{
		Channel: channel, Kind: event.Kind, EventID: event.EventID, InstanceID: instanceID,
		StartTime: rfc3339(event.StartTime), EndTime: rfc3339(event.EndTime), State: event.State,
		Canceled: canceled, Description: event.Description,
	})
	fmt.Println(string(line))
}

// pollIMDS runs each of NTH's IMDS monitors once, as NTH's main loop does on every tick.
func pollIMDS(url string) {
	imds := ec2metadata.New(url, 1)
	// NTH reads the node's identity once at start-up; in IMDS mode that is the instance it drains.
	node := imds.GetNodeMetadata()
	events := make(chan monitor.InterruptionEvent, 64)
	cancels := make(chan monitor.InterruptionEvent, 64)
	monitors := []monitor.Monitor{
		spotitn.NewSpotInterruptionMonitor(imds, events, cancels, "aemm-node"),
		rebalancerecommendation.NewRebalanceRecommendationMonitor(imds, events, "aemm-node"),
		scheduledevent.NewScheduledEventMonitor(imds, events, cancels, "aemm-node"),
	}
	for _, m := range monitors {
		if err := m.Monitor(); err != nil {
			line, _ := json.Marshal(result{Channel: "imds", Kind: m.Kind(), InstanceID: node.InstanceID, Error: err.Error()})
			fmt.Println(string(line))
		}
	}
	for drained := false; !drained; {
		select {
		case event := <-events:
			emit("imds", node.InstanceID, event, false)
		case event := <-cancels:
			emit("imds", node.InstanceID, event, true)
		default:
			drained = true
		}
	}
}

// mustBeLoopback stops the program before any request when a URL points beyond loopback: these
// checks never talk to real AWS or to a real instance metadata service.
func mustBeLoopback(what, raw string) {
	parsed, err := url.Parse(raw)
	if err == nil {
		if ip := net.ParseIP(parsed.Hostname()); ip != nil && ip.IsLoopback() {
			return
		}
	}
	fmt.Fprintf(os.Stderr, "%s %q is not a loopback URL; give one like http://127.0.0.1:PORT\n", what, raw)
	os.Exit(2)
}

func main() {
	imdsURL := flag.String("imds", "", "also run NTH's IMDS-mode monitors once against this IMDS (loopback only)")
	endpoint := flag.String("endpoint", "", "SQS endpoint (loopback only)")
	queueURL := flag.String("queue-url", "", "queue to read")
	region := flag.String("region", "us-east-1", "signing region")
	zone := flag.String("zone", "us-east-1a", "the instance's availability zone")
	count := flag.Int("count", 1, "interruption events to wait for on the queue")
	timeout := flag.Duration("timeout", 30*time.Second, "how long to wait for them")
	flag.Parse()

	zerolog.SetGlobalLevel(zerolog.WarnLevel)
	if *imdsURL != "" {
		mustBeLoopback("-imds", *imdsURL)
		pollIMDS(*imdsURL)
	}
	if *count == 0 {
		return
	}
	mustBeLoopback("-endpoint", *endpoint)
	sess := session.Must(session.NewSession(&aws.Config{
		Endpoint:    endpoint,
		Region:      region,
		Credentials: credentials.NewStaticCredentials("AKIAAEMMTESTFAKE0000", "aemm-test-secret-not-real", ""),
		MaxRetries:  aws.Int(0),
	}))
	events := make(chan monitor.InterruptionEvent, 64)
	cancels := make(chan monitor.InterruptionEvent, 64)
	m := sqsevent.SQSMonitor{
		InterruptionChan: events,
		CancelChan:       cancels,
		QueueURL:         *queueURL,
		SQS:              sqs.New(sess),
		EC2:              fakeEC2{zone: *zone},
		ASG:              fakeASG{},
	}
	deadline := time.Now().Add(*timeout)
	seen := 0
	for seen < *count && time.Now().Before(deadline) {
		if err := m.Monitor(); err != nil {
			fmt.Fprintf(os.Stderr, "monitor: %v\n", err)
			os.Exit(1)
		}
		for drained := false; !drained; {
			select {
			case event := <-events:
				seen++
				emit("sqs", "", event, false)
			default:
				drained = true
			}
		}
	}
	if seen < *count {
		fmt.Fprintf(os.Stderr, "only %d of %d interruption events arrived\n", seen, *count)
		os.Exit(1)
	}
}
