"""The API's answers on the hot paths of curriculum, as plain dicts.

Building the ranked alternatives (and the coach status result) through DRF's per-field
machinery cost more than reading them, so each is the serializer in
``curriculum/api/serializers.py`` that declares it, compiled once into a plain function
(``config/api/representation.py``): one declaration documents the answer and builds it.
"""

from config.api.representation import representation

from .api.serializers import CoachStatusResultSerializer, HistoryEventSerializer, StepAlternativesSerializer

# :class:`~curriculum.selectors.StepAlternatives` as ``StepAlternativesSerializer`` shows it.
step_alternatives_data = representation(StepAlternativesSerializer)
# An :class:`~curriculum.models.OutcomeEvent`, its step, alternative and next alternative loaded with it.
history_event_data = representation(HistoryEventSerializer)
# A :class:`~curriculum.services.StatusResult` as ``CoachStatusResultSerializer`` shows it.
coach_status_data = representation(CoachStatusResultSerializer)
