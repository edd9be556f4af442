// nth-check reads an SQS queue with aws-node-termination-handler's own queue processor
// (pkg/monitor/sqsevent, the code NTH runs in queue-processor mode) and prints, one JSON line
// each, the interruption events NTH made of the messages. The EC2 and Auto Scaling APIs NTH
// calls on the side are answered by small fakes; SQS is the real queue given on the command line.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-node-termination-handler/pkg/monitor"
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
type fakeASG struct{ autoscalingiface.AutoScalingAPI }

func (fakeASG) CompleteLifecycleAction(*autoscaling.CompleteLifecycleActionInput) (*autoscaling.CompleteLifecycleActionOutput, error) {
	return &autoscaling.CompleteLifecycleActionOutput{}, nil
}

type result struct {
	Kind        string `json:"kind"`
	EventID     string `json:"eventId"`
	InstanceID  string `json:"instanceId"`
	StartTime   string `json:"startTime"`
	Description string `json:"description"`
}

func main() {
	endpoint := flag.String("endpoint", "", "SQS endpoint (loopback only)")
	queueURL := flag.String("queue-url", "", "queue to read")
	region := flag.String("region", "us-east-1", "signing region")
	zone := flag.String("zone", "us-east-1a", "the instance's availability zone")
	count := flag.Int("count", 1, "interruption events to wait for")
	timeout := flag.Duration("timeout", 30*time.Second, "how long to wait for them")
	flag.Parse()

	zerolog.SetGlobalLevel(zerolog.WarnLevel)
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
				line, _ := json.Marshal(result{event.Kind, event.EventID, event.InstanceID, event.StartTime.UTC().Format(time.RFC3339), event.Description})
				fmt.Println(string(line))
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
