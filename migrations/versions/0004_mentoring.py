"""mentoring

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 21:23:00.547269

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

#: The program's built-in topics, as in lms/mentoring/topics.py when this revision was written.
BUILTIN_TOPICS = [
    ("implicit_bias", "Implicit bias"),
    ("systemic_inequities", "Systemic inequities"),
    ("power_dynamics", "Power dynamics"),
    ("privilege", "Privilege"),
    ("generational_trauma", "Generational trauma"),
    ("self_care", "Self-care and burnout"),
    ("family_engagement", "Family engagement"),
    ("cultural_identity", "Cultural identity"),
    ("social_emotional_development", "Social-emotional development"),
]


def upgrade():
    op.create_table('lms_topic',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_topic')),
    sa.UniqueConstraint('key', name=op.f('uq_lms_topic_key'))
    )
    op.create_table('lms_mentor_invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['invited_by_id'], ['lms_user.id'], name=op.f('fk_lms_mentor_invitation_invited_by_id_lms_user')),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_lms_mentor_invitation_user_id_lms_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_mentor_invitation'))
    )
    with op.batch_alter_table('lms_mentor_invitation', schema=None) as batch_op:
        batch_op.create_index('uq_lms_mentor_invitation_open', ['user_id'], unique=True, sqlite_where=sa.text('answered_at IS NULL'), postgresql_where=sa.text('answered_at IS NULL'))

    op.create_table('lms_mentor_profile',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('bio', sa.Text(), nullable=False),
    sa.Column('max_mentees', sa.Integer(), nullable=False),
    sa.Column('max_groups', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('max_groups >= 0', name=op.f('ck_lms_mentor_profile_groups_not_negative')),
    sa.CheckConstraint('max_mentees >= 0', name=op.f('ck_lms_mentor_profile_mentees_not_negative')),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_lms_mentor_profile_user_id_lms_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_lms_mentor_profile'))
    )
    op.create_table('lms_mentor_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('trainee_id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('over_capacity_reason', sa.Text(), nullable=True),
    sa.CheckConstraint('ended_at IS NULL OR ended_at >= started_at', name=op.f('ck_lms_mentor_assignment_ends_after_start')),
    sa.CheckConstraint('mentor_id <> trainee_id', name=op.f('ck_lms_mentor_assignment_not_oneself')),
    sa.ForeignKeyConstraint(['cohort_id'], ['lms_cohort.id'], name=op.f('fk_lms_mentor_assignment_cohort_id_lms_cohort')),
    sa.ForeignKeyConstraint(['mentor_id'], ['lms_user.id'], name=op.f('fk_lms_mentor_assignment_mentor_id_lms_user')),
    sa.ForeignKeyConstraint(['trainee_id'], ['lms_user.id'], name=op.f('fk_lms_mentor_assignment_trainee_id_lms_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_mentor_assignment'))
    )
    with op.batch_alter_table('lms_mentor_assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_mentor_assignment_mentor_id'), ['mentor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_mentor_assignment_trainee_id'), ['trainee_id'], unique=False)
        batch_op.create_index('uq_lms_mentor_assignment_current', ['trainee_id', 'cohort_id'], unique=True, sqlite_where=sa.text('ended_at IS NULL'), postgresql_where=sa.text('ended_at IS NULL'))

    op.create_table('lms_mentor_language',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['lms_mentor_profile.user_id'], name=op.f('fk_lms_mentor_language_user_id_lms_mentor_profile'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'language', name=op.f('pk_lms_mentor_language'))
    )
    op.create_table('lms_reflective_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('over_capacity_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['cohort_id'], ['lms_cohort.id'], name=op.f('fk_lms_reflective_group_cohort_id_lms_cohort')),
    sa.ForeignKeyConstraint(['mentor_id'], ['lms_user.id'], name=op.f('fk_lms_reflective_group_mentor_id_lms_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_reflective_group'))
    )
    with op.batch_alter_table('lms_reflective_group', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_reflective_group_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_reflective_group_mentor_id'), ['mentor_id'], unique=False)

    op.create_table('lms_group_member',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('trainee_id', sa.Integer(), nullable=False),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('left_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['group_id'], ['lms_reflective_group.id'], name=op.f('fk_lms_group_member_group_id_lms_reflective_group'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['trainee_id'], ['lms_user.id'], name=op.f('fk_lms_group_member_trainee_id_lms_user')),
    sa.PrimaryKeyConstraint('group_id', 'trainee_id', name=op.f('pk_lms_group_member'))
    )
    with op.batch_alter_table('lms_group_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_group_member_trainee_id'), ['trainee_id'], unique=False)

    op.create_table('lms_reflective_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('planned', 'logged', name='session_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('format', sa.Enum('in_person', 'video', 'phone', name='session_format', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('notes_ciphertext', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('duration_minutes > 0', name=op.f('ck_lms_reflective_session_duration_positive')),
    sa.ForeignKeyConstraint(['group_id'], ['lms_reflective_group.id'], name=op.f('fk_lms_reflective_session_group_id_lms_reflective_group')),
    sa.ForeignKeyConstraint(['mentor_id'], ['lms_user.id'], name=op.f('fk_lms_reflective_session_mentor_id_lms_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_reflective_session'))
    )
    with op.batch_alter_table('lms_reflective_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_reflective_session_group_id'), ['group_id'], unique=False)
        batch_op.create_index('ix_lms_reflective_session_mentor_held', ['mentor_id', 'held_on'], unique=False)

    op.create_table('lms_session_attendee',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('trainee_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['lms_reflective_session.id'], name=op.f('fk_lms_session_attendee_session_id_lms_reflective_session'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['trainee_id'], ['lms_user.id'], name=op.f('fk_lms_session_attendee_trainee_id_lms_user')),
    sa.PrimaryKeyConstraint('session_id', 'trainee_id', name=op.f('pk_lms_session_attendee'))
    )
    with op.batch_alter_table('lms_session_attendee', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_session_attendee_trainee_id'), ['trainee_id'], unique=False)

    op.create_table('lms_session_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('revised_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('snapshot_ciphertext', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['lms_reflective_session.id'], name=op.f('fk_lms_session_revision_session_id_lms_reflective_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_session_revision'))
    )
    with op.batch_alter_table('lms_session_revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_session_revision_session_id'), ['session_id'], unique=False)

    op.create_table('lms_session_topic',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['lms_reflective_session.id'], name=op.f('fk_lms_session_topic_session_id_lms_reflective_session'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['topic_id'], ['lms_topic.id'], name=op.f('fk_lms_session_topic_topic_id_lms_topic')),
    sa.PrimaryKeyConstraint('session_id', 'topic_id', name=op.f('pk_lms_session_topic'))
    )

    topics = sa.table("lms_topic", sa.column("key", sa.String), sa.column("name", sa.String),
                      sa.column("is_active", sa.Boolean))
    op.bulk_insert(topics, [{"key": key, "name": name, "is_active": True} for key, name in BUILTIN_TOPICS])


def downgrade():
    op.drop_table('lms_session_topic')
    with op.batch_alter_table('lms_session_revision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_session_revision_session_id'))

    op.drop_table('lms_session_revision')
    with op.batch_alter_table('lms_session_attendee', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_session_attendee_trainee_id'))

    op.drop_table('lms_session_attendee')
    with op.batch_alter_table('lms_reflective_session', schema=None) as batch_op:
        batch_op.drop_index('ix_lms_reflective_session_mentor_held')
        batch_op.drop_index(batch_op.f('ix_lms_reflective_session_group_id'))

    op.drop_table('lms_reflective_session')
    with op.batch_alter_table('lms_group_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_group_member_trainee_id'))

    op.drop_table('lms_group_member')
    with op.batch_alter_table('lms_reflective_group', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_reflective_group_mentor_id'))
        batch_op.drop_index(batch_op.f('ix_lms_reflective_group_cohort_id'))

    op.drop_table('lms_reflective_group')
    op.drop_table('lms_mentor_language')
    with op.batch_alter_table('lms_mentor_assignment', schema=None) as batch_op:
        batch_op.drop_index('uq_lms_mentor_assignment_current', sqlite_where=sa.text('ended_at IS NULL'), postgresql_where=sa.text('ended_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_lms_mentor_assignment_trainee_id'))
        batch_op.drop_index(batch_op.f('ix_lms_mentor_assignment_mentor_id'))

    op.drop_table('lms_mentor_assignment')
    op.drop_table('lms_mentor_profile')
    with op.batch_alter_table('lms_mentor_invitation', schema=None) as batch_op:
        batch_op.drop_index('uq_lms_mentor_invitation_open', sqlite_where=sa.text('answered_at IS NULL'), postgresql_where=sa.text('answered_at IS NULL'))

    op.drop_table('lms_mentor_invitation')
    op.drop_table('lms_topic')
