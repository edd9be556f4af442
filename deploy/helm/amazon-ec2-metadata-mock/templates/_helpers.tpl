{{/* The chart's name, or nameOverride. */}}
{{- define "aemm.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The release's resource name: fullnameOverride, else the chart name (AEMM names everything after the chart). */}}
{{- define "aemm.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- include "aemm.name" . -}}
{{- end -}}
{{- end -}}

{{/* Labels every resource carries. */}}
{{- define "aemm.labels" -}}
app.kubernetes.io/name: {{ include "aemm.name" . }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Labels that pick the pods. */}}
{{- define "aemm.selectorLabels" -}}
app.kubernetes.io/name: {{ include "aemm.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* The service account the pods run as. */}}
{{- define "aemm.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "aemm.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}
