"""Text analytics for German and English customer feedback: PII masking, language, sentiment,
topics with per-topic sentiment, urgency flags, product mentions, emerging-topic alerts.

Entry points: :func:`cxm.textanalytics.pipeline.analyse`,
:class:`~cxm.textanalytics.pipeline.Analyser`,
:func:`cxm.textanalytics.training.train`, :mod:`cxm.textanalytics.germeval`,
:func:`cxm.textanalytics.spikes.detect_spikes`, :func:`cxm.textanalytics.bench.run`.
"""
