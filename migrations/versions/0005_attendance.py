"""attendance

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 22:08:44.806367

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lms_calendar_token',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_lms_calendar_token_user_id_lms_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_lms_calendar_token')),
    sa.UniqueConstraint('token', name=op.f('uq_lms_calendar_token_token'))
    )
    op.create_table('lms_learning_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('course', 'cohort', 'group', name='session_kind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('cohort_id', sa.Integer(), nullable=True),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('place', sa.String(length=300), nullable=False),
    sa.Column('video_url', sa.String(length=500), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('facilitator_id', sa.Integer(), nullable=False),
    sa.Column('is_cancelled', sa.Boolean(), nullable=False),
    sa.Column('checkin_secret', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(kind = 'course' AND course_id IS NOT NULL AND cohort_id IS NOT NULL AND group_id IS NULL) OR (kind = 'cohort' AND course_id IS NULL AND cohort_id IS NOT NULL AND group_id IS NULL) OR (kind = 'group' AND course_id IS NULL AND group_id IS NOT NULL)", name=op.f('ck_lms_learning_session_scope_matches_kind')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_lms_learning_session_ends_after_start')),
    sa.ForeignKeyConstraint(['cohort_id'], ['lms_cohort.id'], name=op.f('fk_lms_learning_session_cohort_id_lms_cohort')),
    sa.ForeignKeyConstraint(['course_id'], ['lms_course.id'], name=op.f('fk_lms_learning_session_course_id_lms_course')),
    sa.ForeignKeyConstraint(['facilitator_id'], ['lms_user.id'], name=op.f('fk_lms_learning_session_facilitator_id_lms_user')),
    sa.ForeignKeyConstraint(['group_id'], ['lms_reflective_group.id'], name=op.f('fk_lms_learning_session_group_id_lms_reflective_group')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_learning_session'))
    )
    with op.batch_alter_table('lms_learning_session', schema=None) as batch_op:
        batch_op.create_index('ix_lms_learning_session_cohort_starts', ['cohort_id', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_learning_session_facilitator_id'), ['facilitator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_learning_session_group_id'), ['group_id'], unique=False)

    op.create_table('lms_attendance_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('trainee_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('present', 'late', 'excused', 'absent', name='attendance_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=True),
    sa.Column('source', sa.Enum('facilitator', 'check_in', 'import', name='attendance_source', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['changed_by_id'], ['lms_user.id'], name=op.f('fk_lms_attendance_change_changed_by_id_lms_user')),
    sa.ForeignKeyConstraint(['session_id'], ['lms_learning_session.id'], name=op.f('fk_lms_attendance_change_session_id_lms_learning_session'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['trainee_id'], ['lms_user.id'], name=op.f('fk_lms_attendance_change_trainee_id_lms_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_attendance_change'))
    )
    with op.batch_alter_table('lms_attendance_change', schema=None) as batch_op:
        batch_op.create_index('ix_lms_attendance_change_session', ['session_id', 'trainee_id'], unique=False)

    op.create_table('lms_attendance_record',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('trainee_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('present', 'late', 'excused', 'absent', name='attendance_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=True),
    sa.Column('source', sa.Enum('facilitator', 'check_in', 'import', name='attendance_source', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('minutes IS NULL OR minutes >= 0', name=op.f('ck_lms_attendance_record_minutes_not_negative')),
    sa.ForeignKeyConstraint(['session_id'], ['lms_learning_session.id'], name=op.f('fk_lms_attendance_record_session_id_lms_learning_session'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['trainee_id'], ['lms_user.id'], name=op.f('fk_lms_attendance_record_trainee_id_lms_user')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['lms_user.id'], name=op.f('fk_lms_attendance_record_updated_by_id_lms_user')),
    sa.PrimaryKeyConstraint('session_id', 'trainee_id', name=op.f('pk_lms_attendance_record'))
    )
    with op.batch_alter_table('lms_attendance_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_attendance_record_trainee_id'), ['trainee_id'], unique=False)

    op.create_table('lms_enrollment_period',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('ended_at IS NULL OR ended_at >= started_at', name=op.f('ck_lms_enrollment_period_ends_after_start')),
    sa.ForeignKeyConstraint(['cohort_id'], ['lms_cohort.id'], name=op.f('fk_lms_enrollment_period_cohort_id_lms_cohort')),
    sa.ForeignKeyConstraint(['course_id'], ['lms_course.id'], name=op.f('fk_lms_enrollment_period_course_id_lms_course')),
    sa.ForeignKeyConstraint(['enrollment_id'], ['lms_enrollment.id'], name=op.f('fk_lms_enrollment_period_enrollment_id_lms_enrollment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_lms_enrollment_period_user_id_lms_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_enrollment_period'))
    )
    with op.batch_alter_table('lms_enrollment_period', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_enrollment_period_enrollment_id'), ['enrollment_id'], unique=False)
        batch_op.create_index('ix_lms_enrollment_period_offering', ['cohort_id', 'course_id', 'started_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_enrollment_period_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('lms_program', schema=None) as batch_op:
        batch_op.add_column(sa.Column('excused_absences', sa.String(length=16), nullable=False,
                                      server_default='excluded'))
        batch_op.add_column(sa.Column('attendance_warning_percent', sa.Integer(), nullable=False,
                                      server_default='70'))
        batch_op.create_check_constraint(
            'excused_rule', "excused_absences IN ('attended', 'excluded', 'absent')")
        batch_op.create_check_constraint(
            'warning_percent_range', 'attendance_warning_percent BETWEEN 0 AND 100')
    with op.batch_alter_table('lms_program', schema=None) as batch_op:
        batch_op.alter_column('excused_absences', server_default=None)
        batch_op.alter_column('attendance_warning_percent', server_default=None)

    # Seats held so far become enrollment periods: from the seat to the withdrawal, if any.
    op.execute(
        "INSERT INTO lms_enrollment_period (enrollment_id, user_id, course_id, cohort_id, started_at, ended_at) "
        "SELECT id, user_id, course_id, cohort_id, enrolled_at, "
        "CASE WHEN status = 'withdrawn' THEN withdrawn_at WHEN status = 'waitlisted' THEN waitlisted_at END "
        "FROM lms_enrollment WHERE enrolled_at IS NOT NULL")



def downgrade():
    with op.batch_alter_table('lms_program', schema=None) as batch_op:
        batch_op.drop_constraint('warning_percent_range', type_='check')
        batch_op.drop_constraint('excused_rule', type_='check')
        batch_op.drop_column('attendance_warning_percent')
        batch_op.drop_column('excused_absences')

    with op.batch_alter_table('lms_enrollment_period', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_enrollment_period_user_id'))
        batch_op.drop_index('ix_lms_enrollment_period_offering')
        batch_op.drop_index(batch_op.f('ix_lms_enrollment_period_enrollment_id'))

    op.drop_table('lms_enrollment_period')
    with op.batch_alter_table('lms_attendance_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_attendance_record_trainee_id'))

    op.drop_table('lms_attendance_record')
    with op.batch_alter_table('lms_attendance_change', schema=None) as batch_op:
        batch_op.drop_index('ix_lms_attendance_change_session')

    op.drop_table('lms_attendance_change')
    with op.batch_alter_table('lms_learning_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_learning_session_group_id'))
        batch_op.drop_index(batch_op.f('ix_lms_learning_session_facilitator_id'))
        batch_op.drop_index('ix_lms_learning_session_cohort_starts')

    op.drop_table('lms_learning_session')
    op.drop_table('lms_calendar_token')
