"""Metadata rows copy their scenario's filter columns (active, role, difficulty, CEFR level),
and each ranking index holds them after its sort key, so a filtered ranked list walks one index."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery

FILTER_FIELDS = ("is_active", "role", "difficulty", "cefr_level")


def copy_filter_columns(apps, schema_editor):
    Scenario = apps.get_model("scenarios", "Scenario")
    ScenarioMetadata = apps.get_model("scenarios", "ScenarioMetadata")
    ScenarioMetadata.objects.update(
        **{
            name: Subquery(Scenario.objects.filter(pk=OuterRef("scenario_id")).values(name)[:1])
            for name in FILTER_FIELDS
        }
    )


class Migration(migrations.Migration):

    dependencies = [
        ('scenarios', '0002_text_search_trigram_indexes'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='scenariometadata',
            name='scenario_meta_saved_idx',
        ),
        migrations.RemoveIndex(
            model_name='scenariometadata',
            name='scenario_meta_rated_idx',
        ),
        migrations.RemoveIndex(
            model_name='scenariometadata',
            name='scenario_meta_trending_idx',
        ),
        migrations.AddField(
            model_name='scenariometadata',
            name='cefr_level',
            field=models.CharField(blank=True, choices=[('A1', 'A1'), ('A2', 'A2'), ('B1', 'B1'), ('B2', 'B2'), ('C1', 'C1'), ('C2', 'C2')], editable=False, help_text="The scenario's.", max_length=2, verbose_name='CEFR level'),
        ),
        migrations.AddField(
            model_name='scenariometadata',
            name='difficulty',
            field=models.CharField(blank=True, choices=[('beginner', 'Beginner'), ('intermediate', 'Intermediate'), ('advanced', 'Advanced')], editable=False, help_text="The scenario's.", max_length=20, verbose_name='difficulty'),
        ),
        migrations.AddField(
            model_name='scenariometadata',
            name='is_active',
            field=models.BooleanField(default=True, editable=False, help_text="The scenario's.", verbose_name='active'),
        ),
        migrations.AddField(
            model_name='scenariometadata',
            name='role',
            field=models.CharField(blank=True, choices=[('tutor', 'Tutor'), ('character', 'Character'), ('friend', 'Friend'), ('expert', 'Expert')], editable=False, help_text="The scenario's.", max_length=20, verbose_name='role'),
        ),
        migrations.RunPython(copy_filter_columns, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='scenariometadata',
            index=models.Index(models.OrderBy(models.F('saved_count'), descending=True), models.OrderBy(models.F('scenario_id'), descending=True), models.F('is_active'), models.F('role'), models.F('difficulty'), models.F('cefr_level'), name='scenario_meta_saved_idx'),
        ),
        migrations.AddIndex(
            model_name='scenariometadata',
            index=models.Index(models.OrderBy(models.F('bayesian_score'), descending=True), models.OrderBy(models.F('scenario_id'), descending=True), models.F('is_active'), models.F('role'), models.F('difficulty'), models.F('cefr_level'), name='scenario_meta_rated_idx'),
        ),
        migrations.AddIndex(
            model_name='scenariometadata',
            index=models.Index(models.OrderBy(models.F('trending_score'), descending=True), models.OrderBy(models.F('scenario_id'), descending=True), models.F('is_active'), models.F('role'), models.F('difficulty'), models.F('cefr_level'), name='scenario_meta_trending_idx'),
        ),
    ]
