module aemm.test/karpenter-check

go 1.22.5

require github.com/aws/karpenter-provider-aws v1.0.0

require (
	github.com/samber/lo v1.46.0 // indirect
	golang.org/x/text v0.17.0 // indirect
	k8s.io/apimachinery v0.30.3 // indirect
)
