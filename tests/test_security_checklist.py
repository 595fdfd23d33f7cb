"""Every check of SECURITY.md is proved by named tests ("SECURITY.md is re-walked and every check has a test").

CHECKS maps each numbered check to a paraphrase and the tests that fail when its protection is removed. A
check whose proof is incomplete says so in a "# partial: ..." comment naming what is missing. The two tests
below keep the map honest: every check has an entry with at least one test, and every named test exists.
SECURITY.md lives outside the repository (in the shared folder next to it); when it is there, its numbered
items must be exactly the keys of CHECKS, so a check added to it fails here until it is mapped.
"""

import ast
import re
from functools import cache
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
SECURITY_MD = Path(__file__).resolve().parents[2] / "shared" / "SECURITY.md"
#: The checklist's length when this map was last walked against it.
WALKED = 38


class Check(NamedTuple):
    claim: str
    tests: list[str]


CHECKS: dict[int, Check] = {
    # --- Accounts and sessions -------------------------------------------------------------------------
    # 1. Password hashing
    1: Check("Passwords are hashed with argon2id; an older hash is rehashed at login.", [
        "tests/test_accounts_registration.py::test_registering_creates_a_logged_in_trainee",
        "tests/test_accounts_login.py::test_an_outdated_hash_is_upgraded_at_login",
        "tests/test_hardening.py::test_passwords_are_hashed_with_argon2id_at_least_as_strongly_as_argon2_cffi_chooses",
    ]),
    # 2. Login throttling
    2: Check("Login is throttled per account and per address, and the count is shared by every worker (Redis).", [
        "tests/test_security_sessions.py::test_a_throttled_login_is_refused_even_with_the_right_credentials",
        "tests/test_security_sessions.py::test_the_account_ceiling_follows_the_account_to_every_address",
        "tests/test_security_sessions.py::test_failures_spread_over_two_workers_add_up",
        "tests/test_security_sessions.py::test_a_worker_in_another_process_shares_the_count",
    ]),
    # 3. No account enumeration at login
    3: Check("An unknown email and a wrong password get the same message, status and about the same time.", [
        "tests/test_accounts_login.py::test_unknown_email_and_wrong_password_get_the_same_answer",
        "tests/test_accounts_login.py::test_every_failed_login_costs_one_password_hash_verification",
        "tests/test_security_email_privacy.py::test_an_unknown_email_gets_the_same_answer_as_a_known_one_and_no_email",
    ]),
    # 4. Password rules
    4: Check("Passwords: 8 or more characters, 64+ accepted, no composition rules, common ones refused; "
             "a change asks for the current one.", [
        "tests/test_security_email_privacy.py::test_a_password_needs_at_least_8_characters",
        "tests/test_security_email_privacy.py::test_long_passwords_are_accepted",
        "tests/test_security_email_privacy.py::test_an_all_lowercase_passphrase_is_accepted_without_composition_rules",
        "tests/test_security_email_privacy.py::test_a_common_password_is_refused",
        "tests/test_security_email_privacy.py::test_changing_the_password_asks_for_the_current_one",
    ]),
    # 5. Second factor for admins
    5: Check("Admins use a TOTP second factor; each code works once.", [
        "tests/test_security_sessions.py::test_an_admin_without_a_second_factor_cannot_reach_admin_pages",
        "tests/test_security_sessions.py::test_after_setup_logging_in_needs_the_code",
        "tests/test_security_sessions.py::test_a_code_works_only_once",
        "tests/test_security_sessions.py::test_a_recovery_code_works_once",
    ]),
    # 6. Local next= only
    6: Check("next= after login only redirects to a local path.", [
        "tests/test_accounts_login.py::test_login_returns_to_a_local_next_path",
        "tests/test_accounts_login.py::test_login_never_redirects_off_site",
        "tests/test_i18n.py::test_the_switcher_returns_to_the_page_and_only_to_a_local_one",
    ]),
    # 7. Cookie attributes
    7: Check("Cookies are HttpOnly, SameSite=Lax, Secure in production; no long-lived remember-me cookie.", [
        "tests/test_security_sessions.py::test_the_session_cookie_is_httponly_and_samesite_lax",
        "tests/test_security_sessions.py::test_a_host_app_that_sets_no_cookie_options_still_gets_samesite_lax",
        "tests/test_config.py::test_production_starts_with_its_settings_and_secure_cookies",
        "tests/test_security_sessions.py::test_no_remember_me_cookie_is_ever_set",
        "tests/test_security_sessions.py::test_the_session_cookie_does_not_outlive_the_absolute_lifetime",
    ]),
    # 8. Session lifecycle
    8: Check("A new session at login; logout, password change and deactivation end other sessions; "
             "idle and absolute timeouts.", [
        "tests/test_security_sessions.py::test_logging_in_starts_a_new_session",
        "tests/test_security_sessions.py::test_logging_out_in_one_browser_ends_the_session_in_the_other",
        "tests/test_security_sessions.py::test_a_password_change_ends_other_sessions_and_keeps_this_one",
        "tests/test_security_sessions.py::test_deactivation_ends_the_sessions_for_good",
        "tests/test_security_sessions.py::test_an_idle_session_expires",
        "tests/test_security_sessions.py::test_a_session_ends_after_its_absolute_lifetime_even_when_active",
    ]),
    # 9. Fresh login for sensitive actions
    9: Check("Role changes, password change, certificate revocation and report exports ask to log in again "
             "when the login is not fresh.", [
        "tests/test_security_sessions.py::test_a_sensitive_action_asks_for_the_password_again_after_a_stale_login",
        "tests/test_certificate_pages.py::test_revoking_and_reissuing_ask_an_admin_whose_login_is_not_recent_to_log_in_again",
        "tests/test_reports.py::test_report_downloads_ask_to_log_in_again_when_the_login_is_old",
        # A password change asks for the current password whatever the login's age; the program has no
        # email change (an address changes only through an admin or a reset), so there is no such route to guard.
        "tests/test_accounts_login.py::test_changing_the_password_needs_the_current_one",
    ]),

    # --- Access control --------------------------------------------------------------------------------
    # 10. Public list or login required
    10: Check("Every route is on the explicit public list or refuses anonymous users; a new route fails the suite.", [
        "tests/test_access_policy.py::test_every_route_is_in_the_policy_table",
        "tests/test_access_policy.py::test_the_public_list_is_exactly_what_anonymous_users_may_reach",
    ]),
    # 11. Role x endpoint matrix
    11: Check("One policy table gives every endpoint's status for anonymous, trainee, mentor and admin.", [
        "tests/test_access_policy.py::test_role_by_endpoint_matrix",
        "tests/test_access_policy.py::test_every_route_is_in_the_policy_table",
    ]),
    # 12. Mentors kept apart
    12: Check("A mentor cannot read, change or delete another mentor's logs, mentees or sessions (404).", [
        "tests/test_mentoring.py::test_mentor_cannot_read_change_or_delete_another_mentors_logs_or_mentees",
        "tests/test_mentoring.py::test_an_admin_who_is_also_a_mentor_cannot_open_another_mentors_log",
        "tests/test_mentoring.py::test_mentor_cannot_log_a_session_for_a_trainee_not_assigned_to_them",
        "tests/test_attendance_pages.py::test_only_the_facilitator_or_an_admin_may_post_marks",
        "tests/test_access_policy.py::test_role_by_endpoint_matrix",
    ]),
    # 13. Trainees kept apart
    13: Check("A trainee cannot reach another trainee's enrollment, progress, reflections, attendance, "
              "demographics or certificate (404).", [
        "tests/test_access_policy.py::test_role_by_endpoint_matrix",
        "tests/test_enrollment.py::test_a_trainee_cannot_withdraw_or_switch_someone_elses_enrollment",
        "tests/test_progress.py::test_a_trainee_gets_404_on_the_modules_of_someone_elses_enrollment",
        "tests/test_progress.py::test_the_journal_lists_only_my_own_reflections",
        "tests/test_progress.py::test_a_trainee_gets_404_on_someone_elses_evaluation",
        "tests/test_certificate_pages.py::test_another_persons_certificate_answers_404_by_id",
        "tests/test_attendance_pages.py::test_someone_not_on_the_roster_cannot_open_or_post_the_check_in",
        "tests/test_attendance_privacy.py::test_my_data_holds_no_one_elses_attendance_nor_who_on_the_staff_marked_mine",
        "tests/test_errors.py::test_every_address_with_an_id_too_large_for_the_database_is_not_found",
    ]),
    # 14. Who takes attendance, and for whom
    14: Check("Attendance is recorded only by the session's facilitator or an admin, only for its roster.", [
        "tests/test_attendance.py::test_only_the_facilitator_and_admins_can_take_attendance",
        "tests/test_attendance_pages.py::test_only_the_facilitator_or_an_admin_may_post_marks",
        "tests/test_attendance.py::test_marking_refuses_the_whole_batch_when_any_id_is_not_on_the_roster",
        "tests/test_attendance_pages.py::test_a_mark_for_someone_off_the_roster_is_refused_and_nothing_of_the_batch_is_saved",
        "tests/test_attendance.py::test_people_not_on_the_roster_cannot_be_matched_by_hand",
    ]),
    # 15. No mass assignment
    15: Check("Forms ignore fields they do not declare (role=admin, mentor_id=... change nothing).", [
        "tests/test_accounts_registration.py::test_registration_ignores_fields_the_form_does_not_declare",
        "tests/test_mentoring.py::test_mentor_edits_languages_bio_and_pause_but_not_their_own_capacity",
        "tests/test_admin_users.py::test_the_role_form_ignores_unknown_roles",
        # partial: no test posts mentor_id (or user_id, facilitator, ...) to a form that does not declare it,
        # e.g. a trainee's account or enrollment form, or a mentor's session log, and checks nothing changed.
    ]),
    # 16. CSRF everywhere, no state-changing GET
    16: Check("Every POST (login and logout included) needs a CSRF token; no GET changes state.", [
        "tests/test_access_policy.py::test_every_post_needs_a_csrf_token",
        "tests/test_accounts_login.py::test_login_refuses_a_post_without_a_csrf_token",
        "tests/test_accounts_login.py::test_logout_refuses_a_get_and_a_post_without_a_token",
        "tests/test_access_policy.py::test_no_get_route_changes_state",
        "tests/test_confirmations.py::test_opening_the_confirmation_page_changes_nothing_and_says_what_will_happen",
    ]),

    # --- Input and output ------------------------------------------------------------------------------
    # 17. Markup renders as text
    17: Check("Names, titles, notes and Markdown holding <script>, onerror or {{7*7}} render as text.", [
        "tests/test_certificate_pages.py::test_a_name_with_markup_is_shown_as_text_on_the_verify_and_cohort_pages",
        "tests/test_progress.py::test_a_reflection_is_shown_as_text_never_as_markup",
        "tests/test_progress.py::test_module_markdown_is_rendered_to_sanitised_html",
        "tests/test_progress.py::test_markdown_never_makes_a_script_link",
        "tests/test_report_charts.py::test_labels_texts_and_ids_are_escaped",
        "tests/test_catalog.py::test_a_course_title_holding_markup_or_a_template_reads_as_text_on_every_page",
        "tests/test_attendance_pages.py::test_a_session_title_holding_markup_or_a_template_reads_as_text_for_trainee_and_facilitator",
        # partial: no test gives a module title, or a mentor's session summary and notes, the <script> /
        # "><img onerror=...> / {{7*7}} payloads and reads them back on their HTML pages.
    ]),
    # 18. SQL only through the ORM or bound parameters
    18: Check("SQL goes only through the ORM or bound parameters.", [
        "tests/test_sql_is_bound.py::test_no_statement_pastes_a_value_into_its_sql",
        "tests/test_admin_users.py::test_search_finds_names_in_every_script_and_emails",
    ]),
    # 19. Request size and field lengths
    19: Check("Request size is capped (413); form lengths match column lengths.", [
        "tests/test_config.py::test_requests_larger_than_the_limit_answer_413",
        "tests/test_plugin.py::test_a_bare_host_gets_a_request_size_cap_and_safe_cookies",
        "tests/test_accounts_registration.py::test_bad_input_is_explained_next_to_the_field_and_saves_nothing",
        "tests/test_course_admin.py::test_bad_course_input_is_explained_next_to_the_field_and_saves_nothing",
        "tests/test_progress.py::test_a_reflection_over_10000_characters_is_refused_next_to_the_field",
        # partial: lengths are checked field by field (names, titles, cohort names, reflections); no test
        # compares every form field's Length(max) with the String(n) of the column it is saved to.
    ]),
    # 20. ReportLab markup escaped, ReportLab current
    20: Check("Text on certificates is escaped before ReportLab paragraph markup; ReportLab >= 3.6.13.", [
        "tests/test_certificates_text.py::test_markup_is_escaped_so_a_name_prints_literally_in_a_paragraph",
        "tests/test_certificate_engine.py::test_markup_like_text_prints_literally",
        "tests/test_sign_in_pdf.py::test_markup_looking_names_and_details_print_literally",
        "tests/test_ledger_pdf.py::test_markup_in_names_and_labels_prints_literally",
        "tests/test_hardening.py::test_reportlab_is_a_version_without_the_known_code_execution_flaw",
    ]),
    # 21. CSV formula injection
    21: Check("CSV exports neutralise cells starting with =, +, -, @, tab or carriage return.", [
        "tests/test_course_admin.py::test_the_roster_csv_is_a_private_attachment_whose_cells_never_run_as_formulas",
        "tests/test_reports.py::test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_neutralised",
        "tests/test_attendance.py::test_spreadsheet_formulas_in_names_are_neutralised_in_both_sheets",
        "tests/test_mentoring.py::test_hours_ledger_csv_has_one_row_a_session_and_neutralises_formulas",
        "tests/test_languages.py::test_the_review_spreadsheet_never_runs_a_translation_as_a_formula_and_merges_back_unchanged",
        "tests/test_hardening.py::test_a_cell_a_spreadsheet_would_run_is_written_as_text_and_read_back_as_it_was",
    ]),
    # 22. Uploads
    22: Check("Uploads are size-limited, parsed defensively and never stored where they could be served as HTML.", [
        "tests/test_config.py::test_requests_larger_than_the_limit_answer_413",
        "tests/test_attendance.py::test_an_unreadable_file_gives_a_clear_error_and_no_participants",
        "tests/test_attendance_pages.py::test_a_file_that_is_not_a_csv_is_refused_next_to_the_field",
        "tests/test_certificate_pages.py::test_an_upload_that_is_not_a_pdf_is_refused_next_to_the_field",
        "tests/test_course_admin.py::test_a_tampered_confirmation_is_checked_again_and_saves_nothing",
        # partial: no test shows an uploaded file (a roster CSV, a meeting report, a PDF to verify) is never
        # written under a served folder (static, instance) nor sent back with an HTML content type; the size
        # cap is proved on a plain form POST, not on an upload route.
    ]),

    # --- Certificates and verification ----------------------------------------------------------------
    # 23. Verification codes and the verify page
    23: Check("Verification codes are random (128+ bits), unique, not derived from ids; unknown codes 404; "
              "the verify page is rate-limited and noindex.", [
        "tests/test_certificate_pages.py::test_an_unknown_code_answers_404_with_a_message_and_noindex",
        "tests/test_certificate_pages.py::test_the_verify_pages_share_one_rate_limit_per_address",
        "tests/test_certificate_pages.py::test_parallel_verifications_are_counted_before_any_is_looked_up",
        "tests/test_certificates.py::test_a_reissue_gets_a_new_serial_and_the_old_certificate_is_superseded",
        "tests/test_hardening.py::test_verification_codes_carry_192_random_bits_and_the_database_keeps_them_unique",
    ]),
    # 24. What the verify page shows
    24: Check("The verify page shows only printed name, program, date, issuer and status.", [
        "tests/test_certificate_pages.py::test_the_verify_page_shows_only_the_printed_name_program_date_issuer_serial_and_status",
        "tests/test_certificate_pages.py::test_a_reissued_certificate_shows_as_superseded_without_giving_away_the_new_one",
    ]),
    # 25. Certificate actions
    25: Check("Issue, override, revoke and reissue need an admin, CSRF and a fresh login, and are audited.", [
        "tests/test_access_policy.py::test_role_by_endpoint_matrix",
        "tests/test_access_policy.py::test_every_post_needs_a_csrf_token",
        "tests/test_certificate_pages.py::test_issuing_asks_an_admin_whose_login_is_not_recent_to_log_in_again",
        "tests/test_certificate_pages.py::test_revoking_and_reissuing_ask_an_admin_whose_login_is_not_recent_to_log_in_again",
        "tests/test_certificates.py::test_an_override_with_a_reason_issues_and_audits_the_issue_and_the_override",
        "tests/test_certificates.py::test_revoking_needs_a_reason_and_is_audited",
        "tests/test_certificates.py::test_a_reissue_gets_a_new_serial_and_the_old_certificate_is_superseded",
    ]),

    # --- Confidentiality and privacy ------------------------------------------------------------------
    # 26. Private reflective notes
    26: Check("Private notes are readable only by their mentor, stored encrypted, never shown to admins, "
              "in exports, logs or error pages.", [
        "tests/test_mentoring.py::test_mentor_cannot_read_change_or_delete_another_mentors_logs_or_mentees",
        "tests/test_mentoring.py::test_an_admin_who_is_also_a_mentor_cannot_open_another_mentors_log",
        "tests/test_mentoring.py::test_admin_sees_hours_dates_attendance_and_topics_never_notes_or_summaries",
        "tests/test_mentoring.py::test_private_notes_are_never_stored_in_clear",
        "tests/test_mentoring.py::test_trainee_sees_summaries_of_the_sessions_they_attended_and_never_notes",
        "tests/test_mentoring_privacy.py::test_the_export_holds_my_mentor_and_sessions_but_no_private_notes",
        # partial: error pages are covered only in general (a 500 shows no traceback or exception text);
        # no test makes a request that carries notes fail (500, or 400/413 on the log form) and checks the
        # notes are neither on the error page nor in the log.
        "tests/test_errors.py::test_errors_render_the_friendly_page",
    ]),
    # 27. Demographics
    27: Check("Demographics are optional, stored apart, read only in aggregate, small cells suppressed "
              "on everything leaving the admin screen.", [
        "tests/test_demographics.py::test_every_question_is_optional",
        "tests/test_demographics.py::test_no_admin_page_shows_a_persons_answers",
        "tests/test_report_suppression.py::test_no_published_count_is_between_1_and_k_minus_1",
        "tests/test_report_suppression.py::test_no_hidden_small_count_can_be_worked_out_from_the_totals",
        "tests/test_reports.py::test_the_csv_hides_small_counts_even_when_exact_counts_are_asked_for",
        "tests/test_reports.py::test_the_pdf_shows_less_than_five_and_never_the_exact_count",
        "tests/test_demographics.py::test_the_answers_are_stored_apart_from_the_profile_and_the_profile_does_not_reach_them",
    ]),
    # 28. No caching, PDFs as attachments
    28: Check("Private pages and files send Cache-Control: no-store; PDFs are sent as attachments.", [
        "tests/test_security_headers_logs.py::test_private_pages_are_never_cached_and_public_ones_may_be",
        "tests/test_certificate_pages.py::test_a_trainee_downloads_the_stored_pdf_every_time_even_after_changing_their_name",
        "tests/test_mentoring.py::test_hours_ledger_pdf_downloads_as_a_private_attachment",
        "tests/test_security_email_privacy.py::test_a_person_downloads_everything_held_about_them_and_nothing_about_others",
    ]),
    # 29. Security headers
    29: Check("CSP without unsafe-inline (the exact policy), nosniff, Referrer-Policy, HSTS in production.", [
        "tests/test_security_headers_logs.py::test_html_responses_carry_the_content_security_policy_and_friends",
        "tests/test_security_headers_logs.py::test_no_page_uses_inline_scripts_or_styles",
        "tests/test_security_headers_logs.py::test_other_responses_carry_nosniff",
        "tests/test_security_headers_logs.py::test_hsts_only_where_turned_on",
        "tests/test_security_headers_logs.py::test_production_turns_hsts_on",
    ]),
    # 30. Security log
    30: Check("Security events are logged with UTC time, actor, address, action and object; never secrets "
              "or note text; a newline cannot forge a line.", [
        "tests/test_security_headers_logs.py::test_logins_are_logged_with_time_actor_address_and_never_the_password",
        "tests/test_security_headers_logs.py::test_role_changes_denied_access_and_csrf_failures_are_logged",
        "tests/test_security_headers_logs.py::test_a_newline_in_input_cannot_forge_a_log_line",
        "tests/test_attendance_pages.py::test_downloading_a_session_sheet_or_sign_in_sheet_is_written_to_the_security_log",
        "tests/test_mentoring.py::test_private_notes_are_never_stored_in_clear",
        "tests/test_audit.py::test_events_are_recorded_in_utc",
        "tests/test_security_headers_logs.py::test_lockouts_and_every_export_are_written_to_the_security_log",
        "tests/test_security_headers_logs.py::test_every_audited_action_is_a_security_log_line_too",
    ]),
    # 31. Production start-up and crash page
    31: Check("Production refuses debug, a default secret key or no database URL; a crash shows a generic page.", [
        "tests/test_config.py::test_production_refuses_to_start_without_its_settings",
        "tests/test_errors.py::test_errors_render_the_friendly_page",
    ]),
    # 32. Data download and erasure
    32: Check("A user downloads everything held about them; an admin erases a user and program counts stay.", [
        "tests/test_security_email_privacy.py::test_a_person_downloads_everything_held_about_them_and_nothing_about_others",
        "tests/test_security_email_privacy.py::test_an_admin_erases_a_person_and_program_counts_stay_right",
        "tests/test_attendance_privacy.py::test_my_data_holds_my_attendance_at_each_session_with_its_status_minutes_and_source",
        "tests/test_demographics.py::test_erasing_a_person_deletes_their_answers",
    ]),
    # 33. Escaped values in translated messages
    33: Check("Values put into translated (lazy) messages are escaped like any template value.", [
        "tests/test_message_escaping.py::test_the_package_makes_lazy_messages_only_with_its_escaping_lazy_gettext",
        "tests/test_message_escaping.py::test_every_lazy_message_escapes_the_values_put_into_it_on_a_page_and_keeps_them_in_plain_text",
        "tests/test_message_escaping.py::test_a_flashed_message_shows_its_values_escaped_once_after_the_session_carries_it",
        "tests/test_message_escaping.py::test_the_bulk_enroll_preview_shows_a_cell_holding_markup_as_text",
    ]),
    # 34. Verified email before someone else binds to it
    34: Check("A role, import or enrollment made by someone else binds to an address only once its owner "
              "proved it.", [
        "tests/test_admin_users.py::test_an_unverified_self_registration_cannot_collect_a_mentor_or_admin_role",
        "tests/test_admin_users.py::test_once_the_person_verifies_their_address_the_role_can_be_granted",
        "tests/test_cli.py::test_an_attacker_who_registered_the_office_address_first_never_becomes_its_administrator",
        "tests/test_course_admin.py::test_a_row_for_an_unverified_self_registration_is_refused_on_its_line_and_the_rest_is_imported",
    ]),
    # 35. Throttles counted first, aimed at the attacker
    35: Check("Throttles count before the work they guard, so parallel requests cannot exceed them; "
              "the owner is not locked out by others.", [
        "tests/test_throttles.py::test_parallel_wrong_passwords_are_counted_before_any_is_checked",
        "tests/test_throttles.py::test_parallel_wrong_codes_are_counted_before_any_is_checked",
        "tests/test_attendance_pages.py::test_parallel_wrong_check_in_codes_are_counted_before_any_is_checked",
        "tests/test_certificate_pages.py::test_parallel_verifications_are_counted_before_any_is_looked_up",
        "tests/test_throttles.py::test_an_attacker_elsewhere_cannot_lock_the_owner_out",
        "tests/test_throttles.py::test_an_attacker_holding_the_password_cannot_lock_the_admin_out_of_the_second_factor",
    ]),
    # 36. Nothing secret in logs; single-line fields
    36: Check("No token, reset link or mail body reaches a production log; single-line fields refuse "
              "control characters.", [
        "tests/test_security_headers_logs.py::test_a_token_in_the_address_is_never_logged",
        "tests/test_mail.py::test_production_mail_without_a_server_is_logged_without_its_body",
        "tests/test_accounts_registration.py::test_a_name_on_more_than_one_line_or_with_control_characters_is_refused",
        "tests/test_accounts_registration.py::test_the_model_refuses_a_name_with_a_line_break_whatever_wrote_it",
        "tests/test_course_admin.py::test_a_bad_row_is_explained_on_its_line_and_nothing_can_be_imported",
        # partial: only people's names are checked (and only they refuse control characters in lms/); no test
        # sends a line break or control character in a title, program, cohort or group name, place or topic.
    ]),
    # 37. __Host- cookie; no GET writes
    37: Check("Production cookies use the __Host- prefix; no GET changes state, audit writes included.", [
        "tests/test_config.py::test_production_keeps_the_session_in_a_host_only_secure_cookie",
        "tests/test_reports.py::test_a_link_cannot_show_exact_counts_or_write_to_the_audit_log",
        "tests/test_access_policy.py::test_no_get_route_changes_state",
    ]),
    # 38. Redis and PostgreSQL outages
    38: Check("Redis calls time out quickly and limits fall back to memory; without the database every "
              "request gets the 503 page.", [
        "tests/test_redis_outage.py::test_a_hung_redis_slows_no_answer_past_two_seconds",
        "tests/test_redis_outage.py::test_with_redis_gone_people_still_log_in_and_the_limits_return_with_it",
        "tests/test_faults.py::test_everyone_gets_503_while_postgresql_is_away_and_pages_as_soon_as_it_is_back",
        "tests/test_errors.py::test_someone_logged_in_gets_the_503_page_in_their_language_while_the_database_is_away",
    ]),
}


def numbered_items(markdown: str) -> list[int]:
    """The numbers of the checklist's items: lines that start with "N. " (continuation lines are indented)."""
    return [int(number) for number in re.findall(r"^(\d+)\.\s", markdown, re.M)]


@cache
def top_level_tests(path: Path) -> frozenset[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return frozenset(node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)))


def test_every_check_has_an_entry_with_at_least_one_test():
    assert sorted(CHECKS) == list(range(1, len(CHECKS) + 1)), "checks are numbered 1, 2, 3 ... without a gap"
    assert len(CHECKS) >= WALKED
    assert [number for number, check in CHECKS.items() if not check.tests or not check.claim.strip()] == []
    if SECURITY_MD.exists():  # outside the repository: a fresh clone has no shared folder
        items = numbered_items(SECURITY_MD.read_text(encoding="utf-8"))
        assert items == list(range(1, len(items) + 1)), "SECURITY.md numbers its checks 1, 2, 3 ..."
        assert len(items) == len(CHECKS), "SECURITY.md and CHECKS list different checks: map each new one"


def test_every_named_test_exists():
    missing = []
    for number, check in CHECKS.items():
        assert len(set(check.tests)) == len(check.tests), f"check {number} names a test twice"
        for node_id in check.tests:
            file, _, name = node_id.partition("::")
            path = ROOT / file
            if not (file.startswith("tests/") and name.startswith("test_") and "[" not in name and "::" not in name
                    and path.is_file() and name in top_level_tests(path)):
                missing.append(f"{number}: {node_id}")
    assert missing == [], "each name is tests/<file>.py::<top-level test function>, without [params]"
