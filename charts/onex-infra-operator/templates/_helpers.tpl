{{/* The release's full name, at most 63 characters. */}}
{{- define "onex.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "onex.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "onex.labels" -}}
{{ include "onex.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "onex.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "onex.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/*
The rules the operator needs in every namespace it serves (a ClusterRole's rules when it serves all
namespaces, a Role's in each watched namespace otherwise). Each rule says which code needs it.
*/}}
{{- define "onex.namespacedRules" -}}
# kopf watches the managed kinds and patches its finalizer and last-handled annotations on them;
# the connection-usage tracker (runtime/managed/usage.py) patches its in-use finalizer on connections
- apiGroups: ["infra.onex.dev"]
  resources: [kafkatopics, vaultsecrets, consulservices, postgresmigrations, infraconnections]
  verbs: [get, list, watch, patch]
# the reconciler writes conditions and observed state; the usage tracker writes usedBy/InUse
- apiGroups: ["infra.onex.dev"]
  resources: [kafkatopics/status, vaultsecrets/status, consulservices/status, postgresmigrations/status, infraconnections/status]
  verbs: [patch]
# VaultSecret targets carry an ownerReference with blockOwnerDeletion; clusters with the
# OwnerReferencesPermissionEnforcement admission plugin require this to set it
- apiGroups: ["infra.onex.dev"]
  resources: [vaultsecrets/finalizers]
  verbs: [update]
# Secrets: watched (a changed credential requeues its users), read (credentials, sources),
# patched (the in-use finalizer on connection credentials), created and replaced (VaultSecret
# targets). Never deleted: targets go with their VaultSecret through garbage collection.
- apiGroups: [""]
  resources: [secrets]
  verbs: [get, list, watch, create, update, patch]
# the reconciler's Events (kopf's own Event posting is off)
- apiGroups: [""]
  resources: [events]
  verbs: [create]
{{- end -}}

{{/* The peering object's resource in a namespace, when peering serves a list of namespaces. */}}
{{- define "onex.namespacedPeeringRules" -}}
{{- if .Values.peering.enabled }}
# kopf peering (namespaced, one KopfPeering per watched namespace): watch the peers, patch its own
# keep-alive into the chart's peering object only
- apiGroups: ["kopf.dev"]
  resources: [kopfpeerings]
  verbs: [list, watch]
- apiGroups: ["kopf.dev"]
  resources: [kopfpeerings]
  resourceNames: [{{ .Values.peering.name | quote }}]
  verbs: [get, patch]
{{- end }}
{{- end -}}

{{/* Cluster-scoped reads and writes that do not depend on the watch scope. */}}
{{- define "onex.clusterRules" -}}
# ClusterInfraConnections are cluster-scoped: kopf watches them, the usage tracker patches its
# in-use finalizer and their status
- apiGroups: ["infra.onex.dev"]
  resources: [clusterinfraconnections]
  verbs: [get, list, watch, patch]
- apiGroups: ["infra.onex.dev"]
  resources: [clusterinfraconnections/status]
  verbs: [patch]
# kopf watches CRDs to notice kinds appearing or changing (read only)
- apiGroups: ["apiextensions.k8s.io"]
  resources: [customresourcedefinitions]
  verbs: [get, list, watch]
{{- end -}}
