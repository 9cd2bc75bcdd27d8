"""The data model (SQLAlchemy 2, typed). Importing this package registers every table."""

from accord.models.annotations import Annotation, AnnotationVersion
from accord.models.audit import AuditEvent
from accord.models.consensus import Adjudication, ConsensusRun, TaskConsensus
from accord.models.drafts import Draft
from accord.models.flags import Flag, FlagState
from accord.models.gold import GoldAnswer, GoldPurpose, GoldScore, Qualification
from accord.models.guidelines import GuidelineAcknowledgement, GuidelineVersion
from accord.models.imports import Import, ImportState
from accord.models.jobs import Job, JobState
from accord.models.llm import LlmCall, LlmEndpoint, LlmTemplate
from accord.models.members import Membership, Role
from accord.models.metrics import MetricsSnapshot, WorkCount
from accord.models.ml_backends import MLBackend, MLHealth, MLProtocol
from accord.models.notifications import Notification
from accord.models.originality import (
    CorpusState,
    OriginalityBand,
    OriginalityCheck,
    OriginalityCorpus,
    OriginalityText,
)
from accord.models.predictions import Prediction
from accord.models.problem_reports import ProblemReport, ReportStatus
from accord.models.progress import ProgressCount
from accord.models.projects import Project, QueueOrder, UncertaintyMeasure
from accord.models.queue import Assignment, AssignmentState
from accord.models.reviews import Decision, Review, ReviewState
from accord.models.secrets import InstanceSecret
from accord.models.sensitive import SensitiveExposure
from accord.models.sessions import BrowserSession, SignInAttempt
from accord.models.tasks import Task
from accord.models.tokens import ApiToken
from accord.models.users import User
from accord.models.webhooks import DeliveryState, Webhook, WebhookDelivery

__all__ = [
    "Adjudication",
    "Annotation",
    "AnnotationVersion",
    "ApiToken",
    "Assignment",
    "AssignmentState",
    "AuditEvent",
    "BrowserSession",
    "ConsensusRun",
    "CorpusState",
    "Decision",
    "DeliveryState",
    "Draft",
    "Flag",
    "FlagState",
    "GoldAnswer",
    "GoldPurpose",
    "GoldScore",
    "GuidelineAcknowledgement",
    "GuidelineVersion",
    "Import",
    "ImportState",
    "InstanceSecret",
    "Job",
    "JobState",
    "LlmCall",
    "LlmEndpoint",
    "LlmTemplate",
    "MLBackend",
    "MLHealth",
    "MLProtocol",
    "Membership",
    "MetricsSnapshot",
    "Notification",
    "OriginalityBand",
    "OriginalityCheck",
    "OriginalityCorpus",
    "OriginalityText",
    "Prediction",
    "ProblemReport",
    "ProgressCount",
    "Project",
    "Qualification",
    "QueueOrder",
    "ReportStatus",
    "Review",
    "ReviewState",
    "Role",
    "SensitiveExposure",
    "SignInAttempt",
    "Task",
    "TaskConsensus",
    "UncertaintyMeasure",
    "User",
    "Webhook",
    "WebhookDelivery",
    "WorkCount",
]
